func @batch_norm_epsilon_not_positive(%x: tensor<?x3x8x8xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{epsilon must be positive}}
  %y = cpq.batch_norm %x, %s, %s, %s, %s {epsilon = 0.0} : (tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x3x8x8xf32>
  return
}
