func @conv2d_grad_filter_padding_not_pair(%dy: tensor<?x4x6x6xf32>, %x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{padding must be a list of two integers [height, width]}}
  %r = cpq.conv2d_grad_filter %dy, %x, %w {padding = [1, 1, 1]} : (tensor<?x4x6x6xf32>, tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<4x3x3x3xf32>
  return
}
