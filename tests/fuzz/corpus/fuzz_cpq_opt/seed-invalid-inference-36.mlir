func @qconv2d_grid_unknown(%x: tensor<?x3x8x8xui8>, %p: tensor<4x7xui8>) {
  // expected-error @+1 {{attribute 'grid' failed to satisfy constraint: grid kind: "signed", "unsigned" or "symmetric"}}
  %r = cpq.qconv2d %x, %p {grid = "ternary", bits = 2, kernel = [3, 3]} : (tensor<?x3x8x8xui8>, tensor<4x7xui8>) -> tensor<?x4x6x6xi32>
  return
}
