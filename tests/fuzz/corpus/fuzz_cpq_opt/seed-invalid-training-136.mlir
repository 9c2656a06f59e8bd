func @adam_update_epsilon_not_positive(%s: tensor<4xf32>, %lr: f32, %t: i64) {
  // expected-error @+1 {{epsilon must be positive, got 0}}
  %p:3 = cpq.adam_update %s, %s, %s, %s, %lr, %t {epsilon = 0.0} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, f32, i64) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
  return
}
