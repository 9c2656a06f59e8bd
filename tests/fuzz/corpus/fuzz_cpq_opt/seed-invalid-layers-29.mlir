func @dense_bias_rank(%x: tensor<?x12xf32>, %w: tensor<5x12xf32>, %b: tensor<5x1xf32>) {
  // expected-error @+1 {{bias must have rank 1, got [5, 1]}}
  %y = cpq.dense %x, %w, %b : (tensor<?x12xf32>, tensor<5x12xf32>, tensor<5x1xf32>) -> tensor<?x5xf32>
  return
}
