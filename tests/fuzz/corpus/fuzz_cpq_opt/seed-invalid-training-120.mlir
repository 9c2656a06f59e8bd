func @sgd_update_momentum_buffer_unranked(%p: tensor<4xf32>, %g: tensor<4xf32>, %m: tensor<*xf32>, %lr: f32) {
  // expected-error @+1 {{momentum_buffer must be a ranked tensor}}
  %r:2 = cpq.sgd_update %p, %g, %m, %lr : (tensor<4xf32>, tensor<4xf32>, tensor<*xf32>, f32) -> (tensor<4xf32>, tensor<4xf32>)
  return
}
