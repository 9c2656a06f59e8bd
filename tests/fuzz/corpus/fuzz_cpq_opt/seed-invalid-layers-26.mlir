func @dense_weight_dynamic(%x: tensor<?x12xf32>, %w: tensor<?x12xf32>) {
  // expected-error @+1 {{weight needs a static shape}}
  %y = cpq.dense %x, %w : (tensor<?x12xf32>, tensor<?x12xf32>) -> tensor<?x?xf32>
  return
}
