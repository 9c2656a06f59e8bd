func @batch_norm_input_rank(%x: tensor<?x3x8xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{input must be NC or NCHW, got [?, 3, 8]}}
  %y = cpq.batch_norm %x, %s, %s, %s, %s : (tensor<?x3x8xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x3x8xf32>
  return
}
