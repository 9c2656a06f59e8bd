func @conv2d_grad_input_input_channels_mismatch(%dy: tensor<?x4x6x6xf32>, %x: tensor<?x3x8x8xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+1 {{input has 3 channels but the filter expects 2 per group x 1 groups = 2}}
  %r = cpq.conv2d_grad_input %dy, %x, %w : (tensor<?x4x6x6xf32>, tensor<?x3x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<?x3x8x8xf32>
  return
}
