func @batch_norm_train_momentum_out_of_range(%x: tensor<?x3x8x8xf32>, %g: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) {
  // expected-error @+1 {{momentum must be in [0, 1], got -0.1}}
  %r:5 = cpq.batch_norm_train %x, %g, %b, %m, %v {momentum = -0.1} : (tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
  return
}
