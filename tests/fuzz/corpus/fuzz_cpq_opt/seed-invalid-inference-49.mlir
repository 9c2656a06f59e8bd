func @qconv2d_stride_below_one(%x: tensor<?x3x8x8xui8>, %p: tensor<4x7xui8>) {
  // expected-error @+1 {{stride must be at least 1, got [-1, 1]}}
  %r = cpq.qconv2d %x, %p {grid = "signed", bits = 2, kernel = [3, 3], stride = [-1, 1]} : (tensor<?x3x8x8xui8>, tensor<4x7xui8>) -> tensor<?x4x6x6xi32>
  return
}
