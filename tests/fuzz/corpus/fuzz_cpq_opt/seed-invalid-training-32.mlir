func @conv2d_grad_filter_filter_channels_not_divisible_by_groups(%dy: tensor<?x5x6x6xf32>, %x: tensor<?x3x8x8xf32>, %w: tensor<5x1x3x3xf32>) {
  // expected-error @+1 {{filter has 5 output channels, not divisible by groups = 3}}
  %r = cpq.conv2d_grad_filter %dy, %x, %w {groups = 3} : (tensor<?x5x6x6xf32>, tensor<?x3x8x8xf32>, tensor<5x1x3x3xf32>) -> tensor<5x1x3x3xf32>
  return
}
