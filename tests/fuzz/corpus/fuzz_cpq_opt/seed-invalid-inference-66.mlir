func @requantize_input_unranked(%acc: tensor<*xi32>, %s: tensor<4xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{input must be a ranked tensor}}
  %r = cpq.requantize %acc, %s, %b : (tensor<*xi32>, tensor<4xf32>, tensor<4xf32>) -> tensor<*xf32>
  return
}
