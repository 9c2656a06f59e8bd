func @requantize_next_alpha_per_channel(%acc: tensor<?x4xi32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{next_alpha must have one entry}}
  %y = cpq.requantize %acc, %s, %s, %s {grid = "unsigned", bits = 2} : (tensor<?x4xi32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4xui8>
  return
}
