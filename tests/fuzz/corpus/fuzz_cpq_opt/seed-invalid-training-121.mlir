func @sgd_update_grad_shape_mismatch(%s: tensor<4xf32>, %g: tensor<5xf32>, %lr: f32) {
  // expected-error @+1 {{grad has shape [5], expected [4]}}
  %p:2 = cpq.sgd_update %s, %g, %s, %lr : (tensor<4xf32>, tensor<5xf32>, tensor<4xf32>, f32) -> (tensor<4xf32>, tensor<4xf32>)
  return
}
