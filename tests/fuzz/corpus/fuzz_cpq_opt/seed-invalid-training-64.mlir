func @maxpool2d_grad_output_grad_shape_mismatch(%dy: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{output_grad has shape [?, 3, 8, 8], expected [?, 3, 4, 4]}}
  %d = cpq.maxpool2d_grad %dy, %dy {kernel = [2, 2]} : (tensor<?x3x8x8xf32>, tensor<?x3x8x8xf32>) -> tensor<?x3x8x8xf32>
  return
}
