func @maxpool2d_grad_output_grad_rank(%dy: tensor<?x3x4xf32>, %x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{output_grad must have rank 4, got [?, 3, 4]}}
  %r = cpq.maxpool2d_grad %dy, %x {kernel = [2, 2]} : (tensor<?x3x4xf32>, tensor<?x3x8x8xf32>) -> tensor<?x3x8x8xf32>
  return
}
