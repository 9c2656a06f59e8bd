func @batch_norm_grad_batch_inv_std_shape_mismatch(%dy: tensor<?x3x8x8xf32>, %x: tensor<?x3x8x8xf32>, %g: tensor<3xf32>, %m: tensor<3xf32>, %s: tensor<3x1xf32>) {
  // expected-error @+1 {{batch_inv_std has shape [3, 1], expected [3]}}
  %r:3 = cpq.batch_norm_grad %dy, %x, %g, %m, %s : (tensor<?x3x8x8xf32>, tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3x1xf32>) -> (tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>)
  return
}
