func @conv2d_window_exceeds_height(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x9x3xf32>) {
  // expected-error @+1 {{window of 9 does not fit the height of the input, 8 plus padding 2 x 0}}
  %y = cpq.conv2d %x, %w : (tensor<?x3x8x8xf32>, tensor<4x3x9x3xf32>) -> tensor<?x4x1x6xf32>
  return
}
