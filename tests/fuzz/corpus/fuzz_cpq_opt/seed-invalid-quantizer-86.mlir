func @quantize_grad_gate_logits_count(%dy: tensor<4x3x3x3xf32>, %x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64, %g: tensor<2xf32>) {
  // expected-error @+1 {{gate_logits has 2 entries; a 4-bit quantizer has one per level 2..4, 3}}
  %d:4 = cpq.quantize_grad %dy, %x, %a, %s, %n, %n, %g {grid = "signed", bits = 4, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64, tensor<2xf32>) -> (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, tensor<2xf32>)
  return
}
