func @quantize_gate_logits_unranked(%x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %g: tensor<*xf32>) {
  // expected-error @+1 {{gate_logits must be a ranked tensor}}
  %q = cpq.quantize %x, %a, %s, %g {grid = "signed", bits = 4} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, tensor<*xf32>) -> tensor<4x3x3x3xf32>
  return
}
