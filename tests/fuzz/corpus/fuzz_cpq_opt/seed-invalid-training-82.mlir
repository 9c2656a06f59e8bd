func @batch_norm_train_gamma_unranked(%x: tensor<?x3x8x8xf32>, %g: tensor<*xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) {
  // expected-error @+1 {{gamma must be a ranked tensor}}
  %r:5 = cpq.batch_norm_train %x, %g, %b, %m, %v : (tensor<?x3x8x8xf32>, tensor<*xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<?x3x8x8xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>, tensor<*xf32>)
  return
}
