func @qconv2d_bits_missing(%x: tensor<?x3x8x8xui8>, %p: tensor<4x7xui8>) {
  // expected-error @+1 {{requires attribute 'bits'}}
  %r = cpq.qconv2d %x, %p {grid = "signed", kernel = [3, 3]} : (tensor<?x3x8x8xui8>, tensor<4x7xui8>) -> tensor<?x4x6x6xi32>
  return
}
