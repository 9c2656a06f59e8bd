func @qconv2d_kernel_below_one(%x: tensor<?x3x8x8xui8>, %p: tensor<4x7xui8>) {
  // expected-error @+1 {{kernel must be at least 1, got [0, 3]}}
  %r = cpq.qconv2d %x, %p {grid = "signed", bits = 2, kernel = [0, 3]} : (tensor<?x3x8x8xui8>, tensor<4x7xui8>) -> tensor<?x4x6x6xi32>
  return
}
