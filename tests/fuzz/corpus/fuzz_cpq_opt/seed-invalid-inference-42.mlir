func @qconv2d_bits_below_1(%x: tensor<?x3x8x8xui8>, %p: tensor<4x7xui8>) {
  // expected-error @+1 {{bits must be in 1..8, got 0}}
  %r = cpq.qconv2d %x, %p {grid = "signed", bits = 0, kernel = [3, 3]} : (tensor<?x3x8x8xui8>, tensor<4x7xui8>) -> tensor<?x4x6x6xi32>
  return
}
