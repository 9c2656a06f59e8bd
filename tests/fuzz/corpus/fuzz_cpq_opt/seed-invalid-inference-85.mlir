func @qdense_packed_weight_dynamic(%x: tensor<?x12xui8>, %p: tensor<?x3xui8>) {
  // expected-error @+1 {{packed_weight needs a static shape}}
  %y = cpq.qdense %x, %p {grid = "signed", bits = 2} : (tensor<?x12xui8>, tensor<?x3xui8>) -> tensor<?x?xi32>
  return
}
