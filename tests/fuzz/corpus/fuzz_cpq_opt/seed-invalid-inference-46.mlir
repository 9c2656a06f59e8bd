func @qconv2d_input_channels_not_divisible_by_groups(%x: tensor<?x3x8x8xui8>, %p: tensor<4x7xui8>) {
  // expected-error @+1 {{input has 3 channels, not divisible by groups = 2}}
  %y = cpq.qconv2d %x, %p {grid = "signed", bits = 2, kernel = [3, 3], groups = 2} : (tensor<?x3x8x8xui8>, tensor<4x7xui8>) -> tensor<?x4x6x6xi32>
  return
}
