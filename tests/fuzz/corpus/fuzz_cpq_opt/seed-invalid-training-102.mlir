func @batch_norm_grad_gamma_channels_mismatch(%dy: tensor<?x3x8x8xf32>, %x: tensor<?x3x8x8xf32>, %g: tensor<4xf32>, %m: tensor<3xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{gamma has 4 entries but the input has 3 channels}}
  %r:3 = cpq.batch_norm_grad %dy, %x, %g, %m, %s : (tensor<?x3x8x8xf32>, tensor<?x3x8x8xf32>, tensor<4xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<?x3x8x8xf32>, tensor<4xf32>, tensor<4xf32>)
  return
}
