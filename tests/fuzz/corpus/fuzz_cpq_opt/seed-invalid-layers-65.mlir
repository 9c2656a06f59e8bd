func @batch_norm_beta_channels_mismatch(%x: tensor<?x3x8x8xf32>, %b: tensor<2xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{beta has 2 entries but the input has 3 channels}}
  %y = cpq.batch_norm %x, %s, %b, %s, %s : (tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<2xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x3x8x8xf32>
  return
}
