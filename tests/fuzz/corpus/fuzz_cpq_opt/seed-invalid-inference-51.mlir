func @qconv2d_padding_negative(%x: tensor<?x3x8x8xui8>, %p: tensor<4x7xui8>) {
  // expected-error @+1 {{padding must be at least 0, got [-1, 0]}}
  %r = cpq.qconv2d %x, %p {grid = "signed", bits = 2, kernel = [3, 3], padding = [-1, 0]} : (tensor<?x3x8x8xui8>, tensor<4x7xui8>) -> tensor<?x4x6x6xi32>
  return
}
