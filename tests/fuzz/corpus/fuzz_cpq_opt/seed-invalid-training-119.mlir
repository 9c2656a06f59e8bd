func @sgd_update_grad_unranked(%p: tensor<4xf32>, %g: tensor<*xf32>, %m: tensor<4xf32>, %lr: f32) {
  // expected-error @+1 {{grad must be a ranked tensor}}
  %r:2 = cpq.sgd_update %p, %g, %m, %lr : (tensor<4xf32>, tensor<*xf32>, tensor<4xf32>, f32) -> (tensor<4xf32>, tensor<4xf32>)
  return
}
