func @qconv2d_input_channels_dynamic(%x: tensor<?x?x8x8xui8>, %p: tensor<4x7xui8>) {
  // expected-error @+1 {{input channels must be static}}
  %y = cpq.qconv2d %x, %p {grid = "signed", bits = 2, kernel = [3, 3]} : (tensor<?x?x8x8xui8>, tensor<4x7xui8>) -> tensor<?x4x6x6xi32>
  return
}
