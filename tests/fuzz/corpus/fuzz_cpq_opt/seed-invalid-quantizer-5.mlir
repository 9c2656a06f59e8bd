func @quantize_input_not_f32(%x: tensor<4x3x3x3xf16>, %a: tensor<1xf32>, %s: tensor<1xf32>) {
  // expected-error @+1 {{input must hold float32 values, got f16}}
  %q = cpq.quantize %x, %a, %s {grid = "signed", bits = 2} : (tensor<4x3x3x3xf16>, tensor<1xf32>, tensor<1xf32>) -> tensor<4x3x3x3xf16>
  return
}
