// cpq.batch_norm_train: input, statistics, epsilon and momentum.

func @batch_norm_train_input_unranked(%x: tensor<*xf32>, %g: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) {
  // expected-error @+1 {{input must be a ranked tensor}}
  %r:5 = cpq.batch_norm_train %x, %g, %b, %m, %v : (tensor<*xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> (tensor<*xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
  return
}
