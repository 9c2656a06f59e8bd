func @sgd_update_momentum_negative(%p: tensor<4xf32>, %g: tensor<4xf32>, %m: tensor<4xf32>, %lr: f32) {
  // expected-error @+1 {{momentum must be in [0, 1), got -0.5}}
  %r:2 = cpq.sgd_update %p, %g, %m, %lr {momentum = -0.5} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, f32) -> (tensor<4xf32>, tensor<4xf32>)
  return
}
