func @conv2d_bias_unranked(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<*xf32>) {
  // expected-error @+1 {{bias must be a ranked tensor}}
  %y = cpq.conv2d %x, %w, %b : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<*xf32>) -> tensor<?x4x6x6xf32>
  return
}
