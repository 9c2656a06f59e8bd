func @dense_grad_weight_input_rank(%dy: tensor<?x5xf32>, %x: tensor<?x3x4xf32>) {
  // expected-error @+1 {{input must have rank 2, got [?, 3, 4]}}
  %r = cpq.dense_grad_weight %dy, %x : (tensor<?x5xf32>, tensor<?x3x4xf32>) -> tensor<5x12xf32>
  return
}
