func @dense_weight_not_f32(%x: tensor<?x12xf32>, %w: tensor<5x12xf16>) {
  // expected-error @+1 {{weight must hold float32 values, got f16}}
  %y = cpq.dense %x, %w : (tensor<?x12xf32>, tensor<5x12xf16>) -> tensor<?x5xf32>
  return
}
