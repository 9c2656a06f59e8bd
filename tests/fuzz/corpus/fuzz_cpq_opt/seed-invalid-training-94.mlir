func @batch_norm_train_epsilon_not_positive(%x: tensor<?x3x8x8xf32>, %g: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) {
  // expected-error @+1 {{epsilon must be positive}}
  %r:5 = cpq.batch_norm_train %x, %g, %b, %m, %v {epsilon = -1.0e-05} : (tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
  return
}
