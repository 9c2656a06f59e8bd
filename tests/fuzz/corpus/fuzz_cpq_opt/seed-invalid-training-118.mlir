// cpq.sgd_update: param, grad and momentum buffer, momentum, weight decay.

func @sgd_update_param_unranked(%p: tensor<*xf32>, %g: tensor<4xf32>, %m: tensor<4xf32>, %lr: f32) {
  // expected-error @+1 {{param must be a ranked tensor}}
  %r:2 = cpq.sgd_update %p, %g, %m, %lr : (tensor<*xf32>, tensor<4xf32>, tensor<4xf32>, f32) -> (tensor<*xf32>, tensor<*xf32>)
  return
}
