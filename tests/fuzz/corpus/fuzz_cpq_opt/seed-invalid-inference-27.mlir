func @pack_alpha_rank(%w: tensor<4x3x3x3xf32>, %a: tensor<4x1xf32>) {
  // expected-error @+1 {{alpha must have rank 1, got [4, 1]}}
  %r = cpq.pack %w, %a {grid = "signed", bits = 2} : (tensor<4x3x3x3xf32>, tensor<4x1xf32>) -> tensor<4x7xui8>
  return
}
