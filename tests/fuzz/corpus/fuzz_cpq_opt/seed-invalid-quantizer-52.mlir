func @quantize_train_sigma_alpha_mismatch(%x: tensor<4x3x3x3xf32>, %a: tensor<4xf32>, %s: tensor<1xf32>, %n: i64) {
  // expected-error @+1 {{sigma has shape [1] but alpha has [4]}}
  %q = cpq.quantize_train %x, %a, %s, %n, %n {grid = "signed", bits = 2, axis = 0, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<4xf32>, tensor<1xf32>, i64, i64) -> tensor<4x3x3x3xf32>
  return
}
