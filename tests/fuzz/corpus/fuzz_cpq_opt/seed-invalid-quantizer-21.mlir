func @quantize_axis_dynamic(%x: tensor<?x3x8x8xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{per-channel axis 0 has a dynamic size; quantize per tensor}}
  %q = cpq.quantize %x, %a, %a {grid = "unsigned", bits = 2, axis = 0} : (tensor<?x3x8x8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x3x8x8xf32>
  return
}
