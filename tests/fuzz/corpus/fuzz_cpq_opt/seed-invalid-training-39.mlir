// cpq.dense_grad_input: output_grad and weight.

func @dense_grad_input_output_grad_unranked(%dy: tensor<*xf32>, %w: tensor<5x12xf32>) {
  // expected-error @+1 {{output_grad must be a ranked tensor}}
  %r = cpq.dense_grad_input %dy, %w : (tensor<*xf32>, tensor<5x12xf32>) -> tensor<?x12xf32>
  return
}
