func @conv2d_grad_input_padding_negative(%dy: tensor<?x4x6x6xf32>, %x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{padding must be at least 0, got [-1, -1]}}
  %r = cpq.conv2d_grad_input %dy, %x, %w {padding = [-1, -1]} : (tensor<?x4x6x6xf32>, tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x3x8x8xf32>
  return
}
