func @batch_norm_momentum_out_of_range(%x: tensor<?x3x8x8xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{momentum must be in [0, 1], got 2}}
  %y = cpq.batch_norm %x, %s, %s, %s, %s {momentum = 2.0} : (tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x3x8x8xf32>
  return
}
