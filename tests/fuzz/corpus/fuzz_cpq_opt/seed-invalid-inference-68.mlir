func @requantize_scale_rank(%acc: tensor<?x4xi32>, %s: tensor<4x1xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{scale must have rank 1, got [4, 1]}}
  %r = cpq.requantize %acc, %s, %b : (tensor<?x4xi32>, tensor<4x1xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  return
}
