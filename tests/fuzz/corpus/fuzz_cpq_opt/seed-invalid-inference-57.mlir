func @qdense_grid_unknown(%x: tensor<?x12xui8>, %p: tensor<5x3xui8>) {
  // expected-error @+1 {{attribute 'grid' failed to satisfy constraint: grid kind: "signed", "unsigned" or "symmetric"}}
  %r = cpq.qdense %x, %p {grid = "ternary", bits = 2} : (tensor<?x12xui8>, tensor<5x3xui8>) -> tensor<?x5xi32>
  return
}
