func @dense_bias_unranked(%x: tensor<?x12xf32>, %w: tensor<5x12xf32>, %b: tensor<*xf32>) {
  // expected-error @+1 {{bias must be a ranked tensor}}
  %y = cpq.dense %x, %w, %b : (tensor<?x12xf32>, tensor<5x12xf32>, tensor<*xf32>) -> tensor<?x5xf32>
  return
}
