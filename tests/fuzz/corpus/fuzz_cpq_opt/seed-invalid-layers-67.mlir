func @batch_norm_mean_rank(%x: tensor<?x3xf32>, %m: tensor<1x3xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{mean must have rank 1, got [1, 3]}}
  %y = cpq.batch_norm %x, %s, %s, %m, %s : (tensor<?x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<1x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  return
}
