func @conv2d_filter_unranked(%x: tensor<?x3x8x8xf32>, %w: tensor<*xf32>) {
  // expected-error @+1 {{filter must be a ranked tensor}}
  %y = cpq.conv2d %x, %w : (tensor<?x3x8x8xf32>, tensor<*xf32>) -> tensor<?x4x6x6xf32>
  return
}
