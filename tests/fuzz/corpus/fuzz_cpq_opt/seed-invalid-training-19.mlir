func @conv2d_grad_input_output_grad_shape_mismatch(%dy: tensor<?x4x8x8xf32>, %x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{output_grad has shape [?, 4, 8, 8], expected [?, 4, 6, 6]}}
  %d = cpq.conv2d_grad_input %dy, %x, %w : (tensor<?x4x8x8xf32>, tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x3x8x8xf32>
  return
}
