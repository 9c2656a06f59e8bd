func @avgpool2d_input_not_f32(%x: tensor<?x3x8x8xf16>) {
  // expected-error @+1 {{input must hold float32 values, got f16}}
  %y = cpq.avgpool2d %x {kernel = [2, 2]} : (tensor<?x3x8x8xf16>) -> tensor<?x3x4x4xf32>
  return
}
