func @batch_norm_gamma_rank(%x: tensor<?x3x8x8xf32>, %g: tensor<3x1xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{gamma must have rank 1, got [3, 1]}}
  %y = cpq.batch_norm %x, %g, %s, %s, %s : (tensor<?x3x8x8xf32>, tensor<3x1xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x3x8x8xf32>
  return
}
