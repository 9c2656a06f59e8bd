// cpq.batch_norm: input, statistics, epsilon and momentum.

func @batch_norm_input_unranked(%x: tensor<*xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{input must be a ranked tensor}}
  %y = cpq.batch_norm %x, %s, %s, %s, %s : (tensor<*xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<*xf32>
  return
}
