func @sgd_update_relative_with_weight_decay(%s: tensor<4xf32>, %lr: f32) {
  // expected-error @+1 {{relative steps take no weight_decay}}
  %p:2 = cpq.sgd_update %s, %s, %s, %lr {relative, weight_decay = 0.1} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, f32) -> (tensor<4xf32>, tensor<4xf32>)
  return
}
