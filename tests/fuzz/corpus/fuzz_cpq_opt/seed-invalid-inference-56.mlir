func @qdense_bits_missing(%x: tensor<?x12xui8>, %p: tensor<5x3xui8>) {
  // expected-error @+1 {{requires attribute 'bits'}}
  %r = cpq.qdense %x, %p {grid = "signed"} : (tensor<?x12xui8>, tensor<5x3xui8>) -> tensor<?x5xi32>
  return
}
