func @dense_input_rank(%x: tensor<?x3x4xf32>, %w: tensor<5x12xf32>) {
  // expected-error @+1 {{input must have rank 2, got [?, 3, 4]}}
  %y = cpq.dense %x, %w : (tensor<?x3x4xf32>, tensor<5x12xf32>) -> tensor<?x5xf32>
  return
}
