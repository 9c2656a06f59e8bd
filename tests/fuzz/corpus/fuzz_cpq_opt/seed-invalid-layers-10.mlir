func @conv2d_padding_negative(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{padding must be at least 0, got [0, -1]}}
  %y = cpq.conv2d %x, %w {padding = [0, -1]} : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x6x4xf32>
  return
}
