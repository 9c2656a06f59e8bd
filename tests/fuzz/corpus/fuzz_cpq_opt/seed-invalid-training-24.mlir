func @conv2d_grad_filter_filter_unranked(%dy: tensor<?x4x6x6xf32>, %x: tensor<?x3x8x8xf32>, %w: tensor<*xf32>) {
  // expected-error @+1 {{filter must be a ranked tensor}}
  %r = cpq.conv2d_grad_filter %dy, %x, %w : (tensor<?x4x6x6xf32>, tensor<?x3x8x8xf32>, tensor<*xf32>) -> tensor<*xf32>
  return
}
