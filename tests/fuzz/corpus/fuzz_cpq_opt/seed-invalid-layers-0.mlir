// Verifier errors of the layer ops: conv2d, dense, relu, the pools, batch_norm, flatten, add and the loss.

// cpq.conv2d: operands, window attributes, groups, bias and result type.

func @conv2d_input_unranked(%x: tensor<*xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{input must be a ranked tensor}}
  %y = cpq.conv2d %x, %w : (tensor<*xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x6x6xf32>
  return
}
