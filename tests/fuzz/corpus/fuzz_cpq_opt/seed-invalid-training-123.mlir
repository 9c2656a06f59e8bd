func @sgd_update_momentum_out_of_range(%s: tensor<4xf32>, %lr: f32) {
  // expected-error @+1 {{momentum must be in [0, 1), got 1}}
  %p:2 = cpq.sgd_update %s, %s, %s, %lr {momentum = 1.0} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, f32) -> (tensor<4xf32>, tensor<4xf32>)
  return
}
