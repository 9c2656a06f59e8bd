func @adam_update_grad_unranked(%p: tensor<4xf32>, %g: tensor<*xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>, %lr: f32, %t: i64) {
  // expected-error @+1 {{grad must be a ranked tensor}}
  %r:3 = cpq.adam_update %p, %g, %m, %v, %lr, %t : (tensor<4xf32>, tensor<*xf32>, tensor<4xf32>, tensor<4xf32>, f32, i64) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
  return
}
