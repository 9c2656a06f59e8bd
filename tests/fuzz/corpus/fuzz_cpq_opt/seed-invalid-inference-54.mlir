func @qconv2d_window_exceeds_width(%x: tensor<?x3x8x8xui8>, %p: tensor<4x21xui8>) {
  // expected-error @+1 {{window of 9 does not fit the width of the input, 8 plus padding 2 x 0}}
  %r = cpq.qconv2d %x, %p {grid = "signed", bits = 2, kernel = [3, 9], padding = [1, 0]} : (tensor<?x3x8x8xui8>, tensor<4x21xui8>) -> tensor<?x4x8x1xi32>
  return
}
