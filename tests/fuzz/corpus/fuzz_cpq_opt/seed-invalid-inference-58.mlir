func @qdense_input_unranked(%x: tensor<*xui8>, %p: tensor<5x3xui8>) {
  // expected-error @+1 {{input must be a ranked tensor}}
  %r = cpq.qdense %x, %p {grid = "signed", bits = 2} : (tensor<*xui8>, tensor<5x3xui8>) -> tensor<?x5xi32>
  return
}
