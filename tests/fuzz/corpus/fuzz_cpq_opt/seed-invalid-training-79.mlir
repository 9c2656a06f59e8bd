func @avgpool2d_grad_output_grad_shape_mismatch(%dy: tensor<?x3x2x2xf32>, %x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{output_grad has shape [?, 3, 2, 2], expected [?, 3, 4, 4]}}
  %r = cpq.avgpool2d_grad %dy, %x {kernel = [2, 2]} : (tensor<?x3x2x2xf32>, tensor<?x3x8x8xf32>) -> tensor<?x3x8x8xf32>
  return
}
