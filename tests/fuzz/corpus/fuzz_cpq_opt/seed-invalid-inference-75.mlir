func @requantize_next_alpha_rank(%acc: tensor<?x4xi32>, %s: tensor<4xf32>, %b: tensor<4xf32>, %a: tensor<1x1xf32>) {
  // expected-error @+1 {{next_alpha must have rank 1, got [1, 1]}}
  %r = cpq.requantize %acc, %s, %b, %a {grid = "unsigned", bits = 2} : (tensor<?x4xi32>, tensor<4xf32>, tensor<4xf32>, tensor<1x1xf32>) -> tensor<?x4xui8>
  return
}
