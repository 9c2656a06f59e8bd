func @adam_update_relative_with_weight_decay(%s: tensor<4xf32>, %lr: f32, %t: i64) {
  // expected-error @+1 {{relative steps take no weight_decay}}
  %p:3 = cpq.adam_update %s, %s, %s, %s, %lr, %t {relative, weight_decay = 0.1} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, f32, i64) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
  return
}
