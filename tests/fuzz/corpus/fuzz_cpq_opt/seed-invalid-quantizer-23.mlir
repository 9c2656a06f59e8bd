func @quantize_alpha_per_tensor_mismatch(%w: tensor<4x3x3x3xf32>, %a: tensor<4xf32>) {
  // expected-error @+1 {{alpha has 4 entries; a per-tensor quantizer takes one (set axis for per-channel)}}
  %q = cpq.quantize %w, %a, %a {grid = "signed", bits = 2} : (tensor<4x3x3x3xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4x3x3x3xf32>
  return
}
