func @batch_norm_train_input_rank(%x: tensor<?x3x8x8x1xf32>, %g: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) {
  // expected-error @+1 {{input must be NC or NCHW, got [?, 3, 8, 8, 1]}}
  %r:5 = cpq.batch_norm_train %x, %g, %b, %m, %v : (tensor<?x3x8x8x1xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<?x3x8x8x1xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
  return
}
