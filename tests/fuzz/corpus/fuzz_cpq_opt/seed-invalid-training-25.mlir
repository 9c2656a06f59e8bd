func @conv2d_grad_filter_filter_rank(%dy: tensor<?x4x6x6xf32>, %x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3xf32>) {
  // expected-error @+1 {{filter must have rank 4, got [4, 3, 3]}}
  %r = cpq.conv2d_grad_filter %dy, %x, %w : (tensor<?x4x6x6xf32>, tensor<?x3x8x8xf32>, tensor<4x3x3xf32>) -> tensor<4x3x3xf32>
  return
}
