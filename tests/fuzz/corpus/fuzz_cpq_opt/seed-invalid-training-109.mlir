func @flatten_grad_input_unranked(%dy: tensor<?x12xf32>, %x: tensor<*xf32>) {
  // expected-error @+1 {{input must be a ranked tensor}}
  %r = cpq.flatten_grad %dy, %x : (tensor<?x12xf32>, tensor<*xf32>) -> tensor<*xf32>
  return
}
