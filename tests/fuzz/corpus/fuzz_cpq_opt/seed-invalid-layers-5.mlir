func @conv2d_filter_not_f32(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf16>) {
  // expected-error @+1 {{filter must hold float32 values, got f16}}
  %y = cpq.conv2d %x, %w : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf16>) -> tensor<?x4x6x6xf32>
  return
}
