func @dense_grad_weight_output_grad_rank(%dy: tensor<?xf32>, %x: tensor<?x12xf32>) {
  // expected-error @+1 {{output_grad must have rank 2, got [?]}}
  %r = cpq.dense_grad_weight %dy, %x : (tensor<?xf32>, tensor<?x12xf32>) -> tensor<5x12xf32>
  return
}
