func @quantize_grad_gate_logits_unranked(%dy: tensor<4x3x3x3xf32>, %x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64, %g: tensor<*xf32>) {
  // expected-error @+1 {{gate_logits must be a ranked tensor}}
  %d:4 = cpq.quantize_grad %dy, %x, %a, %s, %n, %n, %g {grid = "signed", bits = 4, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64, tensor<*xf32>) -> (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, tensor<*xf32>)
  return
}
