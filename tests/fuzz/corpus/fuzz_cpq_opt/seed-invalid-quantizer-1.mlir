func @quantize_bits_missing(%w: tensor<4x3x3x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{requires attribute 'bits'}}
  %q = cpq.quantize %w, %a, %a {grid = "signed"} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<4x3x3x3xf32>
  return
}
