func @quantize_train_tensor_id_negative(%w: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: i64) {
  // expected-error @+1 {{tensor_id must be a non-negative integer}}
  %q = cpq.quantize_train %w, %a, %a, %s, %s {grid = "signed", bits = 2, tensor_id = -1} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64) -> tensor<4x3x3x3xf32>
  return
}
