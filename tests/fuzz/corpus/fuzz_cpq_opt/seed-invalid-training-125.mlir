func @sgd_update_weight_decay_negative(%s: tensor<4xf32>, %lr: f32) {
  // expected-error @+1 {{weight_decay must be non-negative, got -0.1}}
  %p:2 = cpq.sgd_update %s, %s, %s, %lr {weight_decay = -0.1} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, f32) -> (tensor<4xf32>, tensor<4xf32>)
  return
}
