// cpq.qconv2d: attributes, operands, bits, kernel, groups, packed rows and the window.

func @qconv2d_grid_missing(%x: tensor<?x3x8x8xui8>, %p: tensor<4x7xui8>) {
  // expected-error @+1 {{requires attribute 'grid'}}
  %r = cpq.qconv2d %x, %p {bits = 2, kernel = [3, 3]} : (tensor<?x3x8x8xui8>, tensor<4x7xui8>) -> tensor<?x4x6x6xi32>
  return
}
