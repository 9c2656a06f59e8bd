func @decode_grid_unknown(%q: tensor<?x4xui8>, %a: tensor<1xf32>) {
  // expected-error @+1 {{attribute 'grid' failed to satisfy constraint: grid kind: "signed", "unsigned" or "symmetric"}}
  %r = cpq.decode %q, %a {grid = "Unsigned", bits = 2} : (tensor<?x4xui8>, tensor<1xf32>) -> tensor<?x4xf32>
  return
}
