func @dense_features_mismatch(%x: tensor<?x12xf32>, %w: tensor<5x10xf32>) {
  // expected-error @+1 {{input has 12 features but the weight expects 10}}
  %y = cpq.dense %x, %w : (tensor<?x12xf32>, tensor<5x10xf32>) -> tensor<?x5xf32>
  return
}
