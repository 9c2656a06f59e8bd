func @qconv2d_input_unranked(%x: tensor<*xui8>, %p: tensor<4x7xui8>) {
  // expected-error @+1 {{input must be a ranked tensor}}
  %r = cpq.qconv2d %x, %p {grid = "signed", bits = 2, kernel = [3, 3]} : (tensor<*xui8>, tensor<4x7xui8>) -> tensor<?x4x6x6xi32>
  return
}
