func @conv2d_stride_not_pair(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{stride must be a list of two integers [height, width]}}
  %y = cpq.conv2d %x, %w {stride = [1]} : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x6x6xf32>
  return
}
