func @dense_bias_size_mismatch(%x: tensor<?x12xf32>, %w: tensor<5x12xf32>, %b: tensor<6xf32>) {
  // expected-error @+1 {{bias has shape [6], expected [5]}}
  %y = cpq.dense %x, %w, %b : (tensor<?x12xf32>, tensor<5x12xf32>, tensor<6xf32>) -> tensor<?x5xf32>
  return
}
