// cpq.bias_grad: output_grad.

func @bias_grad_output_grad_unranked(%dy: tensor<*xf32>) {
  // expected-error @+1 {{output_grad must be a ranked tensor}}
  %r = cpq.bias_grad %dy : (tensor<*xf32>) -> tensor<?xf32>
  return
}
