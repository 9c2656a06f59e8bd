func @quantize_sigma_alpha_mismatch(%w: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{sigma has shape [4] but alpha has [1]}}
  %q = cpq.quantize %w, %a, %s {grid = "signed", bits = 2} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<4xf32>) -> tensor<4x3x3x3xf32>
  return
}
