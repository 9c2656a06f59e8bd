func @batch_norm_variance_unranked(%x: tensor<?x3x8x8xf32>, %v: tensor<*xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{variance must be a ranked tensor}}
  %y = cpq.batch_norm %x, %s, %s, %s, %v : (tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<*xf32>) -> tensor<?x3x8x8xf32>
  return
}
