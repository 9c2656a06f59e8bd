func @adam_update_lr_scale_not_positive(%s: tensor<4xf32>, %lr: f32, %t: i64) {
  // expected-error @+1 {{lr_scale must be a positive number, got -2}}
  %p:3 = cpq.adam_update %s, %s, %s, %s, %lr, %t {lr_scale = -2.0} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, f32, i64) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
  return
}
