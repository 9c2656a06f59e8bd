func @quantize_gate_logits_count(%w: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %g: tensor<2xf32>) {
  // expected-error @+1 {{gate_logits has 2 entries; a 4-bit quantizer has one per level 2..4, 3}}
  %q = cpq.quantize %w, %a, %a, %g {grid = "signed", bits = 4} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, tensor<2xf32>) -> tensor<4x3x3x3xf32>
  return
}
