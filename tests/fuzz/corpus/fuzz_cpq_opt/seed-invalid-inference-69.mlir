func @requantize_bias_unranked(%acc: tensor<?x4xi32>, %s: tensor<4xf32>, %b: tensor<*xf32>) {
  // expected-error @+1 {{bias must be a ranked tensor}}
  %r = cpq.requantize %acc, %s, %b : (tensor<?x4xi32>, tensor<4xf32>, tensor<*xf32>) -> tensor<?x4xf32>
  return
}
