func @adam_update_second_moment_shape_mismatch(%p: tensor<4xf32>, %g: tensor<4xf32>, %m: tensor<4xf32>, %v: tensor<3xf32>, %lr: f32, %t: i64) {
  // expected-error @+1 {{second_moment has shape [3], expected [4]}}
  %r:3 = cpq.adam_update %p, %g, %m, %v, %lr, %t : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<3xf32>, f32, i64) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
  return
}
