func @maxpool2d_grad_input_rank(%dy: tensor<?x3x4x4xf32>, %x: tensor<?x3x8xf32>) {
  // expected-error @+1 {{input must have rank 4, got [?, 3, 8]}}
  %r = cpq.maxpool2d_grad %dy, %x {kernel = [2, 2]} : (tensor<?x3x4x4xf32>, tensor<?x3x8xf32>) -> tensor<?x3x8xf32>
  return
}
