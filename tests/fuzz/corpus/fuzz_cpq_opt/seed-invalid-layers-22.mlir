func @dense_input_not_f32(%x: tensor<?x12xf16>, %w: tensor<5x12xf32>) {
  // expected-error @+1 {{input must hold float32 values, got f16}}
  %y = cpq.dense %x, %w : (tensor<?x12xf16>, tensor<5x12xf32>) -> tensor<?x5xf32>
  return
}
