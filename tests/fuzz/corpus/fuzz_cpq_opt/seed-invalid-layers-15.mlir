func @conv2d_window_exceeds_width(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x11xf32>) {
  // expected-error @+1 {{window of 11 does not fit the width of the input, 8 plus padding 2 x 1}}
  %y = cpq.conv2d %x, %w {padding = [1, 1]} : (tensor<?x3x8x8xf32>, tensor<4x3x3x11xf32>) -> tensor<?x4x8x1xf32>
  return
}
