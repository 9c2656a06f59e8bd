func @quantize_grad_output_grad_unranked(%dy: tensor<*xf32>, %x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64) {
  // expected-error @+1 {{output_grad must be a ranked tensor}}
  %d:3 = cpq.quantize_grad %dy, %x, %a, %s, %n, %n {grid = "signed", bits = 2, tensor_id = 0} : (tensor<*xf32>, tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64) -> (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>)
  return
}
