func @encode_alpha_unranked(%x: tensor<?x3xf32>, %a: tensor<*xf32>) {
  // expected-error @+1 {{alpha must be a ranked tensor}}
  %r = cpq.encode %x, %a {grid = "unsigned", bits = 4} : (tensor<?x3xf32>, tensor<*xf32>) -> tensor<?x3xui8>
  return
}
