func @qconv2d_kernel_not_pair(%x: tensor<?x3x8x8xui8>, %p: tensor<4x7xui8>) {
  // expected-error @+1 {{kernel must be a list of two integers [height, width]}}
  %r = cpq.qconv2d %x, %p {grid = "signed", bits = 2, kernel = [3]} : (tensor<?x3x8x8xui8>, tensor<4x7xui8>) -> tensor<?x4x6x6xi32>
  return
}
