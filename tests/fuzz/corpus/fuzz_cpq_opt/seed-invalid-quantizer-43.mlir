func @quantize_train_alpha_unranked(%x: tensor<4x3x3x3xf32>, %a: tensor<*xf32>, %s: tensor<1xf32>, %n: i64) {
  // expected-error @+1 {{alpha must be a ranked tensor}}
  %q = cpq.quantize_train %x, %a, %s, %n, %n {grid = "signed", bits = 2, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<*xf32>, tensor<1xf32>, i64, i64) -> tensor<4x3x3x3xf32>
  return
}
