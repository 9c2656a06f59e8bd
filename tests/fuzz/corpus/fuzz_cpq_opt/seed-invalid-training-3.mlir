// cpq.conv2d_grad_input: operands, window attributes, groups and output_grad.

func @conv2d_grad_input_output_grad_unranked(%dy: tensor<*xf32>, %x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{output_grad must be a ranked tensor}}
  %r = cpq.conv2d_grad_input %dy, %x, %w : (tensor<*xf32>, tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x3x8x8xf32>
  return
}
