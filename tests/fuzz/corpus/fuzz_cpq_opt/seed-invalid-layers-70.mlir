func @batch_norm_variance_rank(%x: tensor<?x3x8x8xf32>, %v: tensor<3x3xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{variance must have rank 1, got [3, 3]}}
  %y = cpq.batch_norm %x, %s, %s, %s, %v : (tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3x3xf32>) -> tensor<?x3x8x8xf32>
  return
}
