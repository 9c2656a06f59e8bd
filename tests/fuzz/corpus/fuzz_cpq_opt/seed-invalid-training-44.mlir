// cpq.dense_grad_weight: output_grad and input.

func @dense_grad_weight_output_grad_unranked(%dy: tensor<*xf32>, %x: tensor<?x12xf32>) {
  // expected-error @+1 {{output_grad must be a ranked tensor}}
  %r = cpq.dense_grad_weight %dy, %x : (tensor<*xf32>, tensor<?x12xf32>) -> tensor<5x12xf32>
  return
}
