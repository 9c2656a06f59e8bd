func @conv2d_input_rank(%x: tensor<?x3xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{input must have rank 4, got [?, 3]}}
  %y = cpq.conv2d %x, %w : (tensor<?x3xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x6x6xf32>
  return
}
