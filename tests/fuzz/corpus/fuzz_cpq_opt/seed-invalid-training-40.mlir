func @dense_grad_input_output_grad_rank(%dy: tensor<?x5x1xf32>, %w: tensor<5x12xf32>) {
  // expected-error @+1 {{output_grad must have rank 2, got [?, 5, 1]}}
  %r = cpq.dense_grad_input %dy, %w : (tensor<?x5x1xf32>, tensor<5x12xf32>) -> tensor<?x12xf32>
  return
}
