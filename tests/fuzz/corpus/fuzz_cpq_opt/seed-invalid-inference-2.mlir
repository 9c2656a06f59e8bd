func @encode_grid_unknown(%x: tensor<?x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{attribute 'grid' failed to satisfy constraint: grid kind: "signed", "unsigned" or "symmetric"}}
  %r = cpq.encode %x, %a {grid = "binary", bits = 1} : (tensor<?x3xf32>, tensor<1xf32>) -> tensor<?x3xui8>
  return
}
