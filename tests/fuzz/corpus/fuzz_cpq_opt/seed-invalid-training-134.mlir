func @adam_update_beta1_out_of_range(%p: tensor<4xf32>, %g: tensor<4xf32>, %m: tensor<4xf32>, %v: tensor<4xf32>, %lr: f32, %t: i64) {
  // expected-error @+1 {{beta1 and beta2 must be in [0, 1), got 1 and 0.999}}
  %r:3 = cpq.adam_update %p, %g, %m, %v, %lr, %t {beta1 = 1.0} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, f32, i64) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
  return
}
