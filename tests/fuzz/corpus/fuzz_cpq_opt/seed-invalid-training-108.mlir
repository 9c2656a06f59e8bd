func @flatten_grad_output_grad_rank(%dy: tensor<?x3x4xf32>, %x: tensor<?x3x2x2xf32>) {
  // expected-error @+1 {{output_grad must have rank 2, got [?, 3, 4]}}
  %r = cpq.flatten_grad %dy, %x : (tensor<?x3x4xf32>, tensor<?x3x2x2xf32>) -> tensor<?x3x2x2xf32>
  return
}
