// Verifier errors of the training ops: the layers' gradients, batch_norm_train and the optimizer updates.

// cpq.relu_grad: input and output_grad.

func @relu_grad_input_unranked(%dy: tensor<?x4xf32>, %x: tensor<*xf32>) {
  // expected-error @+1 {{input must be a ranked tensor}}
  %r = cpq.relu_grad %dy, %x : (tensor<?x4xf32>, tensor<*xf32>) -> tensor<?x4xf32>
  return
}
