func @decode_alpha_unranked(%q: tensor<?x4xui8>, %a: tensor<*xf32>) {
  // expected-error @+1 {{alpha must be a ranked tensor}}
  %r = cpq.decode %q, %a {grid = "unsigned", bits = 2} : (tensor<?x4xui8>, tensor<*xf32>) -> tensor<?x4xf32>
  return
}
