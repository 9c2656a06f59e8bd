func @quantize_train_gate_logits_rank(%x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64, %g: tensor<3x1xf32>) {
  // expected-error @+1 {{gate_logits must have rank 1, got [3, 1]}}
  %q = cpq.quantize_train %x, %a, %s, %n, %n, %g {grid = "signed", bits = 4, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64, tensor<3x1xf32>) -> tensor<4x3x3x3xf32>
  return
}
