func @qconv2d_packed_filter_unranked(%x: tensor<?x3x8x8xui8>, %p: tensor<*xui8>) {
  // expected-error @+1 {{packed_filter must be a ranked tensor}}
  %r = cpq.qconv2d %x, %p {grid = "signed", bits = 2, kernel = [3, 3]} : (tensor<?x3x8x8xui8>, tensor<*xui8>) -> tensor<?x4x6x6xi32>
  return
}
