func @qdense_input_rank(%x: tensor<?x3x4xui8>, %p: tensor<5x3xui8>) {
  // expected-error @+1 {{input must have rank 2, got [?, 3, 4]}}
  %r = cpq.qdense %x, %p {grid = "signed", bits = 2} : (tensor<?x3x4xui8>, tensor<5x3xui8>) -> tensor<?x5xi32>
  return
}
