func @quantize_grad_sigma_rank(%dy: tensor<4x3x3x3xf32>, %x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<f32>, %n: i64) {
  // expected-error @+1 {{sigma must have rank 1, got []}}
  %d:3 = cpq.quantize_grad %dy, %x, %a, %s, %n, %n {grid = "signed", bits = 2, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<f32>, i64, i64) -> (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<f32>)
  return
}
