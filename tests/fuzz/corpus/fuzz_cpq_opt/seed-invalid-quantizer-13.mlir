func @quantize_gates_one_bit(%x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %g: tensor<1xf32>) {
  // expected-error @+1 {{learned gates need at least 2 bits: a 1-bit grid has no level to drop}}
  %q = cpq.quantize %x, %a, %s, %g {grid = "unsigned", bits = 1} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<4x3x3x3xf32>
  return
}
