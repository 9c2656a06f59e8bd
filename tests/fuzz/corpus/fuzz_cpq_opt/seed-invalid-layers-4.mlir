func @conv2d_filter_rank(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3xf32>) {
  // expected-error @+1 {{filter must have rank 4, got [4, 3, 3]}}
  %y = cpq.conv2d %x, %w : (tensor<?x3x8x8xf32>, tensor<4x3x3xf32>) -> tensor<?x4x6x6xf32>
  return
}
