func @dense_weight_unranked(%x: tensor<?x12xf32>, %w: tensor<*xf32>) {
  // expected-error @+1 {{weight must be a ranked tensor}}
  %y = cpq.dense %x, %w : (tensor<?x12xf32>, tensor<*xf32>) -> tensor<?x5xf32>
  return
}
