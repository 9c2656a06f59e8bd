func @quantize_alpha_per_channel_mismatch(%w: tensor<4x3x3x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{alpha has 1 entries but axis 0 of the input has 4 channels}}
  %q = cpq.quantize %w, %a, %a {grid = "signed", bits = 2, axis = 0} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<4x3x3x3xf32>
  return
}
