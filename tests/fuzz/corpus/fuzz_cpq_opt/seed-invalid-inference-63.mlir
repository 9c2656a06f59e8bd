func @qdense_input_features_dynamic(%x: tensor<?x?xui8>, %p: tensor<5x3xui8>) {
  // expected-error @+1 {{input features must be static}}
  %y = cpq.qdense %x, %p {grid = "signed", bits = 4} : (tensor<?x?xui8>, tensor<5x3xui8>) -> tensor<?x5xi32>
  return
}
