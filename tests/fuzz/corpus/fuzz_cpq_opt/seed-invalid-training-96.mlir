// cpq.batch_norm_grad: output_grad and input, gamma and the batch statistics.

func @batch_norm_grad_input_unranked(%dy: tensor<?x3x8x8xf32>, %x: tensor<*xf32>, %g: tensor<3xf32>, %m: tensor<3xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{input must be a ranked tensor}}
  %r:3 = cpq.batch_norm_grad %dy, %x, %g, %m, %s : (tensor<?x3x8x8xf32>, tensor<*xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<*xf32>, tensor<3xf32>, tensor<3xf32>)
  return
}
