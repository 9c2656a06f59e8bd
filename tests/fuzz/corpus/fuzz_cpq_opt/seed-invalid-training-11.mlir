func @conv2d_grad_input_stride_below_one(%dy: tensor<?x4x6x6xf32>, %x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{stride must be at least 1, got [1, 0]}}
  %r = cpq.conv2d_grad_input %dy, %x, %w {stride = [1, 0]} : (tensor<?x4x6x6xf32>, tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x3x8x8xf32>
  return
}
