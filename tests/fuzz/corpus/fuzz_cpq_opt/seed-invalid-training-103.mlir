func @batch_norm_grad_batch_mean_unranked(%dy: tensor<?x3x8x8xf32>, %x: tensor<?x3x8x8xf32>, %g: tensor<3xf32>, %m: tensor<*xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{batch_mean must be a ranked tensor}}
  %r:3 = cpq.batch_norm_grad %dy, %x, %g, %m, %s : (tensor<?x3x8x8xf32>, tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<*xf32>, tensor<3xf32>) -> (tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>)
  return
}
