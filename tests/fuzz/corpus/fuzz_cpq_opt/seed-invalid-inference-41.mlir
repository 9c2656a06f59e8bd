func @qconv2d_packed_filter_rank(%x: tensor<?x3x8x8xui8>, %p: tensor<28xui8>) {
  // expected-error @+1 {{packed_filter must have rank 2, got [28]}}
  %r = cpq.qconv2d %x, %p {grid = "signed", bits = 2, kernel = [3, 3]} : (tensor<?x3x8x8xui8>, tensor<28xui8>) -> tensor<?x4x6x6xi32>
  return
}
