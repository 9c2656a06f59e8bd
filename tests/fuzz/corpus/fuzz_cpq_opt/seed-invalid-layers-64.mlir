func @batch_norm_beta_rank(%x: tensor<?x3x8x8xf32>, %b: tensor<f32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{beta must have rank 1, got []}}
  %y = cpq.batch_norm %x, %s, %b, %s, %s : (tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<f32>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x3x8x8xf32>
  return
}
