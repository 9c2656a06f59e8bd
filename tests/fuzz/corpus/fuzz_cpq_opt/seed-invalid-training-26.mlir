func @conv2d_grad_filter_filter_dynamic(%dy: tensor<?x4x6x6xf32>, %x: tensor<?x3x8x8xf32>, %w: tensor<?x3x3x3xf32>) {
  // expected-error @+1 {{filter needs a static shape}}
  %d = cpq.conv2d_grad_filter %dy, %x, %w : (tensor<?x4x6x6xf32>, tensor<?x3x8x8xf32>, tensor<?x3x3x3xf32>) -> tensor<?x3x3x3xf32>
  return
}
