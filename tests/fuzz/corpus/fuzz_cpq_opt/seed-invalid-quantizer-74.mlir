func @quantize_grad_alpha_unranked(%dy: tensor<4x3x3x3xf32>, %x: tensor<4x3x3x3xf32>, %a: tensor<*xf32>, %s: tensor<1xf32>, %n: i64) {
  // expected-error @+1 {{alpha must be a ranked tensor}}
  %d:3 = cpq.quantize_grad %dy, %x, %a, %s, %n, %n {grid = "signed", bits = 2, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<4x3x3x3xf32>, tensor<*xf32>, tensor<1xf32>, i64, i64) -> (tensor<4x3x3x3xf32>, tensor<*xf32>, tensor<1xf32>)
  return
}
