func @quantize_dropbits_p_out_of_range(%w: tensor<4x3x3x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{dropbits_p must be in [0, 1), got 1}}
  %q = cpq.quantize %w, %a, %a {grid = "signed", bits = 2, dropbits_p = 1.0} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<4x3x3x3xf32>
  return
}
