func @conv2d_grad_filter_input_unranked(%dy: tensor<?x4x6x6xf32>, %x: tensor<*xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{input must be a ranked tensor}}
  %r = cpq.conv2d_grad_filter %dy, %x, %w : (tensor<?x4x6x6xf32>, tensor<*xf32>, tensor<4x3x3x3xf32>) -> tensor<4x3x3x3xf32>
  return
}
