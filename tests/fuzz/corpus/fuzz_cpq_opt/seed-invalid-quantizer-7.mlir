func @quantize_bits_below_1(%w: tensor<4x3x3x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{bits must be in 1..8, got 0}}
  %q = cpq.quantize %w, %a, %a {grid = "signed", bits = 0} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<4x3x3x3xf32>
  return
}
