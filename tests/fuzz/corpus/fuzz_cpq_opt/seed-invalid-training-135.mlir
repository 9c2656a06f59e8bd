func @adam_update_beta2_out_of_range(%s: tensor<4xf32>, %lr: f32, %t: i64) {
  // expected-error @+1 {{beta1 and beta2 must be in [0, 1), got 0.9 and 1}}
  %p:3 = cpq.adam_update %s, %s, %s, %s, %lr, %t {beta2 = 1.0} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, f32, i64) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
  return
}
