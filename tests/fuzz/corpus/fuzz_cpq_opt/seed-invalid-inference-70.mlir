func @requantize_bias_rank(%acc: tensor<?x4xi32>, %s: tensor<4xf32>, %b: tensor<f32>) {
  // expected-error @+1 {{bias must have rank 1, got []}}
  %r = cpq.requantize %acc, %s, %b : (tensor<?x4xi32>, tensor<4xf32>, tensor<f32>) -> tensor<?x4xf32>
  return
}
