func @qdense_packed_weight_unranked(%x: tensor<?x12xui8>, %p: tensor<*xui8>) {
  // expected-error @+1 {{packed_weight must be a ranked tensor}}
  %r = cpq.qdense %x, %p {grid = "signed", bits = 2} : (tensor<?x12xui8>, tensor<*xui8>) -> tensor<?x5xi32>
  return
}
