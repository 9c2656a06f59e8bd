func @batch_norm_mean_unranked(%x: tensor<?x3xf32>, %m: tensor<*xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{mean must be a ranked tensor}}
  %y = cpq.batch_norm %x, %s, %s, %m, %s : (tensor<?x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<*xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  return
}
