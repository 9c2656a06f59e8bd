func @dense_grad_input_weight_unranked(%dy: tensor<?x5xf32>, %w: tensor<*xf32>) {
  // expected-error @+1 {{weight must be a ranked tensor}}
  %r = cpq.dense_grad_input %dy, %w : (tensor<?x5xf32>, tensor<*xf32>) -> tensor<?x12xf32>
  return
}
