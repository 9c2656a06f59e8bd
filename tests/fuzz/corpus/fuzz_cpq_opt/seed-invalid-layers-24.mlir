func @dense_weight_rank(%x: tensor<?x12xf32>, %w: tensor<5x12x1xf32>) {
  // expected-error @+1 {{weight must have rank 2, got [5, 12, 1]}}
  %y = cpq.dense %x, %w : (tensor<?x12xf32>, tensor<5x12x1xf32>) -> tensor<?x5xf32>
  return
}
