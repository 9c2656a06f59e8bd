func @batch_norm_train_mean_channels_mismatch(%x: tensor<?x3x8x8xf32>, %g: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<4xf32>, %v: tensor<3xf32>) {
  // expected-error @+1 {{mean has 4 entries but the input has 3 channels}}
  %r:5 = cpq.batch_norm_train %x, %g, %b, %m, %v : (tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>, tensor<4xf32>, tensor<3xf32>) -> (tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
  return
}
