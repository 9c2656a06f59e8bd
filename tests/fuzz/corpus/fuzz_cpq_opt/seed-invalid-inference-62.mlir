func @qdense_bits_above_8(%x: tensor<?x12xui8>, %p: tensor<5x3xui8>) {
  // expected-error @+1 {{bits must be in 1..8, got 9}}
  %r = cpq.qdense %x, %p {grid = "signed", bits = 9} : (tensor<?x12xui8>, tensor<5x3xui8>) -> tensor<?x5xi32>
  return
}
