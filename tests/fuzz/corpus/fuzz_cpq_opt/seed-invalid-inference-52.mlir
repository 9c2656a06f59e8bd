func @qconv2d_packed_filter_channels_not_divisible_by_groups(%x: tensor<?x4x8x8xui8>, %p: tensor<5x5xui8>) {
  // expected-error @+1 {{packed_filter has 5 output channels, not divisible by groups = 2}}
  %r = cpq.qconv2d %x, %p {grid = "signed", bits = 2, kernel = [3, 3], groups = 2} : (tensor<?x4x8x8xui8>, tensor<5x5xui8>) -> tensor<?x5x6x6xi32>
  return
}
