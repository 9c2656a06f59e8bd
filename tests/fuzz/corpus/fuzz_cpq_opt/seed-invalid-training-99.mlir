func @batch_norm_grad_input_rank(%dy: tensor<?x3x8xf32>, %x: tensor<?x3x8xf32>, %g: tensor<3xf32>, %m: tensor<3xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{input must be NC or NCHW, got [?, 3, 8]}}
  %r:3 = cpq.batch_norm_grad %dy, %x, %g, %m, %s : (tensor<?x3x8xf32>, tensor<?x3x8xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<?x3x8xf32>, tensor<3xf32>, tensor<3xf32>)
  return
}
