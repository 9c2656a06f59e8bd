// cpq.dense: operands, features and bias.

func @dense_input_unranked(%x: tensor<*xf32>, %w: tensor<5x12xf32>) {
  // expected-error @+1 {{input must be a ranked tensor}}
  %y = cpq.dense %x, %w : (tensor<*xf32>, tensor<5x12xf32>) -> tensor<?x5xf32>
  return
}
