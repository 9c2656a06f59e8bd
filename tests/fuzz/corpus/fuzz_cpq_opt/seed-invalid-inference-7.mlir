func @encode_bits_above_8(%x: tensor<?x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{bits must be in 1..8, got 9}}
  %r = cpq.encode %x, %a {grid = "unsigned", bits = 9} : (tensor<?x3xf32>, tensor<1xf32>) -> tensor<?x3xui8>
  return
}
