// cpq.flatten_grad: output_grad and input.

func @flatten_grad_output_grad_unranked(%dy: tensor<*xf32>, %x: tensor<?x3x2x2xf32>) {
  // expected-error @+1 {{output_grad must be a ranked tensor}}
  %r = cpq.flatten_grad %dy, %x : (tensor<*xf32>, tensor<?x3x2x2xf32>) -> tensor<?x3x2x2xf32>
  return
}
