func @conv2d_grad_input_window_exceeds_height(%dy: tensor<?x4x1x6xf32>, %x: tensor<?x3x8x8xf32>, %w: tensor<4x3x9x3xf32>) {
  // expected-error @+1 {{window of 9 does not fit the height of the input, 8 plus padding 2 x 0}}
  %r = cpq.conv2d_grad_input %dy, %x, %w : (tensor<?x4x1x6xf32>, tensor<?x3x8x8xf32>, tensor<4x3x9x3xf32>) -> tensor<?x3x8x8xf32>
  return
}
