func @batch_norm_gamma_channels_mismatch(%x: tensor<?x3x8x8xf32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{gamma has 4 entries but the input has 3 channels}}
  %y = cpq.batch_norm %x, %s, %s, %s, %s : (tensor<?x3x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x3x8x8xf32>
  return
}
