func @quantize_dropbits_one_bit(%w: tensor<4x3x3x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{DropBits need at least 2 bits: a 1-bit grid has no level to drop}}
  %q = cpq.quantize %w, %a, %a {grid = "signed", bits = 1, dropbits_p = 0.3} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<4x3x3x3xf32>
  return
}
