func @dense_grad_weight_features_dynamic(%dy: tensor<?x5xf32>, %x: tensor<?x?xf32>) {
  // expected-error @+1 {{the weight gradient needs static feature sizes}}
  %d = cpq.dense_grad_weight %dy, %x : (tensor<?x5xf32>, tensor<?x?xf32>) -> tensor<5x?xf32>
  return
}
