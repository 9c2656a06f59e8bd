func @qdense_packed_weight_rank(%x: tensor<?x12xui8>, %p: tensor<15xui8>) {
  // expected-error @+1 {{packed_weight must have rank 2, got [15]}}
  %r = cpq.qdense %x, %p {grid = "signed", bits = 2} : (tensor<?x12xui8>, tensor<15xui8>) -> tensor<?x5xi32>
  return
}
