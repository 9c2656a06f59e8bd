func @sgd_update_momentum_buffer_shape_mismatch(%p: tensor<4xf32>, %g: tensor<4xf32>, %m: tensor<4x1xf32>, %lr: f32) {
  // expected-error @+1 {{momentum_buffer has shape [4, 1], expected [4]}}
  %r:2 = cpq.sgd_update %p, %g, %m, %lr : (tensor<4xf32>, tensor<4xf32>, tensor<4x1xf32>, f32) -> (tensor<4xf32>, tensor<4xf32>)
  return
}
