func @quantize_alpha_rank(%w: tensor<4x3x3x3xf32>, %a: tensor<1x1xf32>) {
  // expected-error @+1 {{alpha must have rank 1, got [1, 1]}}
  %q = cpq.quantize %w, %a, %a {grid = "signed", bits = 2} : (tensor<4x3x3x3xf32>, tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<4x3x3x3xf32>
  return
}
