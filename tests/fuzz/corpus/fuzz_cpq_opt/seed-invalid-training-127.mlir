// cpq.adam_update: param, grad and moments, beta1 and beta2, epsilon, weight decay.

func @adam_update_param_unranked(%p: tensor<*xf32>, %g: tensor<4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>, %lr: f32, %t: i64) {
  // expected-error @+1 {{param must be a ranked tensor}}
  %r:3 = cpq.adam_update %p, %g, %m, %v, %lr, %t : (tensor<*xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, f32, i64) -> (tensor<*xf32>, tensor<*xf32>, tensor<*xf32>)
  return
}
