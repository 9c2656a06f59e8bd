func @batch_norm_train_mean_rank(%x: tensor<?x3x8x8xf32>, %g: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<1x3xf32>, %v: tensor<3xf32>) {
  // expected-error @+1 {{mean must have rank 1, got [1, 3]}}
  %r:5 = cpq.batch_norm_train %x, %g, %b, %m, %v : (tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>, tensor<1x3xf32>, tensor<3xf32>) -> (tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
  return
}
