func @relu_grad_output_grad_unranked(%dy: tensor<*xf32>, %x: tensor<?x4xf32>) {
  // expected-error @+1 {{output_grad must be a ranked tensor}}
  %r = cpq.relu_grad %dy, %x : (tensor<*xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  return
}
