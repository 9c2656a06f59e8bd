func @quantize_train_sigma_rank(%x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<f32>, %n: i64) {
  // expected-error @+1 {{sigma must have rank 1, got []}}
  %q = cpq.quantize_train %x, %a, %s, %n, %n {grid = "signed", bits = 2, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<f32>, i64, i64) -> tensor<4x3x3x3xf32>
  return
}
