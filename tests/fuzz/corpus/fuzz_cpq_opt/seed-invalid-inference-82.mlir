func @requantize_bits_without_next_alpha(%acc: tensor<?x4xi32>, %s: tensor<4xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{grid and bits describe the next quantizer and need its next_alpha operand}}
  %r = cpq.requantize %acc, %s, %b {bits = 8} : (tensor<?x4xi32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  return
}
