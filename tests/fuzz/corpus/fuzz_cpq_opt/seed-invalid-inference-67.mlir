func @requantize_scale_unranked(%acc: tensor<?x4xi32>, %s: tensor<*xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{scale must be a ranked tensor}}
  %r = cpq.requantize %acc, %s, %b : (tensor<?x4xi32>, tensor<*xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  return
}
