func @quantize_axis_negative(%x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>) {
  // expected-error @+1 {{axis -1 is outside the input's rank 4}}
  %q = cpq.quantize %x, %a, %s {grid = "signed", bits = 2, axis = -1} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<4x3x3x3xf32>
  return
}
