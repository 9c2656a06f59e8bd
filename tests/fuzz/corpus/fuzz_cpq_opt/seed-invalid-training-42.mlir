func @dense_grad_input_weight_rank(%dy: tensor<?x5xf32>, %w: tensor<60xf32>) {
  // expected-error @+1 {{weight must have rank 2, got [60]}}
  %r = cpq.dense_grad_input %dy, %w : (tensor<?x5xf32>, tensor<60xf32>) -> tensor<?x12xf32>
  return
}
