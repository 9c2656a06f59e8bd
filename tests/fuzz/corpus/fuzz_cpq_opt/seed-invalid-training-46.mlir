func @dense_grad_weight_input_unranked(%dy: tensor<?x5xf32>, %x: tensor<*xf32>) {
  // expected-error @+1 {{input must be a ranked tensor}}
  %r = cpq.dense_grad_weight %dy, %x : (tensor<?x5xf32>, tensor<*xf32>) -> tensor<5x12xf32>
  return
}
