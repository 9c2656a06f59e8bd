func @conv2d_bias_rank(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<4x1xf32>) {
  // expected-error @+1 {{bias must have rank 1, got [4, 1]}}
  %y = cpq.conv2d %x, %w, %b : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4x1xf32>) -> tensor<?x4x6x6xf32>
  return
}
