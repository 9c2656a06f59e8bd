func @conv2d_grad_filter_output_grad_shape_mismatch(%dy: tensor<?x5x6x6xf32>, %x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{output_grad has shape [?, 5, 6, 6], expected [?, 4, 6, 6]}}
  %r = cpq.conv2d_grad_filter %dy, %x, %w : (tensor<?x5x6x6xf32>, tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<4x3x3x3xf32>
  return
}
