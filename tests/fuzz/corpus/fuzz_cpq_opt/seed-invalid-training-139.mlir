func @adam_update_weight_decay_negative(%s: tensor<4xf32>, %lr: f32, %t: i64) {
  // expected-error @+1 {{weight_decay must be non-negative, got -1}}
  %p:3 = cpq.adam_update %s, %s, %s, %s, %lr, %t {weight_decay = -1.0} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, f32, i64) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
  return
}
