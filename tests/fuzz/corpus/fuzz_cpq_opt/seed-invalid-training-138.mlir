func @sgd_update_lr_scale_not_positive(%s: tensor<4xf32>, %lr: f32) {
  // expected-error @+1 {{lr_scale must be a positive number, got 0}}
  %p:2 = cpq.sgd_update %s, %s, %s, %lr {lr_scale = 0.0} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, f32) -> (tensor<4xf32>, tensor<4xf32>)
  return
}
