func @batch_norm_grad_output_grad_shape_mismatch(%dy: tensor<?x3x4x4xf32>, %x: tensor<?x3x8x8xf32>, %g: tensor<3xf32>, %m: tensor<3xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{output_grad has shape [?, 3, 4, 4], expected [?, 3, 8, 8]}}
  %r:3 = cpq.batch_norm_grad %dy, %x, %g, %m, %s : (tensor<?x3x4x4xf32>, tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>)
  return
}
