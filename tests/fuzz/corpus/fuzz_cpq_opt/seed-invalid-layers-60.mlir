func @batch_norm_gamma_unranked(%x: tensor<?x3x8x8xf32>, %g: tensor<*xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{gamma must be a ranked tensor}}
  %y = cpq.batch_norm %x, %g, %s, %s, %s : (tensor<?x3x8x8xf32>, tensor<*xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x3x8x8xf32>
  return
}
