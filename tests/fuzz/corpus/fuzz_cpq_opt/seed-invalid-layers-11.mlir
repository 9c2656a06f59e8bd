func @conv2d_groups_below_one(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{groups must be at least 1, got 0}}
  %y = cpq.conv2d %x, %w {groups = 0} : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x6x6xf32>
  return
}
