func @conv2d_grad_filter_input_rank(%dy: tensor<?x4x6x6xf32>, %x: tensor<?x3x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{input must have rank 4, got [?, 3, 8]}}
  %r = cpq.conv2d_grad_filter %dy, %x, %w : (tensor<?x4x6x6xf32>, tensor<?x3x8xf32>, tensor<4x3x3x3xf32>) -> tensor<4x3x3x3xf32>
  return
}
