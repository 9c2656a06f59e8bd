func @pack_weight_unranked(%w: tensor<*xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{weight must be a ranked tensor}}
  %r = cpq.pack %w, %a {grid = "signed", bits = 2} : (tensor<*xf32>, tensor<1xf32>) -> tensor<4x7xui8>
  return
}
