func @pack_alpha_unranked(%w: tensor<4x3x3x3xf32>, %a: tensor<*xf32>) {
  // expected-error @+1 {{alpha must be a ranked tensor}}
  %r = cpq.pack %w, %a {grid = "signed", bits = 2} : (tensor<4x3x3x3xf32>, tensor<*xf32>) -> tensor<4x7xui8>
  return
}
