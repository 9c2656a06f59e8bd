func @decode_codes_unranked(%q: tensor<*xui8>, %a: tensor<1xf32>) {
  // expected-error @+1 {{codes must be a ranked tensor}}
  %r = cpq.decode %q, %a {grid = "unsigned", bits = 2} : (tensor<*xui8>, tensor<1xf32>) -> tensor<*xf32>
  return
}
