func @batch_norm_mean_channels_mismatch(%x: tensor<?x3xf32>, %m: tensor<5xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{mean has 5 entries but the input has 3 channels}}
  %y = cpq.batch_norm %x, %s, %s, %m, %s : (tensor<?x3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<5xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  return
}
