func @quantize_gate_lambda_negative(%w: tensor<4x3x3x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{gate_lambda must be non-negative, got -1}}
  %q = cpq.quantize %w, %a, %a {grid = "signed", bits = 2, gate_lambda = -1.0} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<4x3x3x3xf32>
  return
}
