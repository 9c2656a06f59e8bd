func @conv2d_input_not_f32(%x: tensor<?x3x8x8xf16>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{input must hold float32 values, got f16}}
  %y = cpq.conv2d %x, %w : (tensor<?x3x8x8xf16>, tensor<4x3x3x3xf32>) -> tensor<?x4x6x6xf32>
  return
}
