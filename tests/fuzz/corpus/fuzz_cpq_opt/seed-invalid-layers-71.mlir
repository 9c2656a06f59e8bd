func @batch_norm_variance_channels_mismatch(%x: tensor<?x3x8x8xf32>, %v: tensor<1xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{variance has 1 entries but the input has 3 channels}}
  %y = cpq.batch_norm %x, %s, %s, %s, %v : (tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<1xf32>) -> tensor<?x3x8x8xf32>
  return
}
