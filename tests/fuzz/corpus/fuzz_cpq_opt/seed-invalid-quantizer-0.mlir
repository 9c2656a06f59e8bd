// Verifier errors of the quantizer ops: quantize, quantize_train and quantize_grad.

// cpq.quantize: attributes, input, and the quantizer's options and scales.

func @quantize_grid_missing(%w: tensor<4x3x3x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{requires attribute 'grid'}}
  %q = cpq.quantize %w, %a, %a {bits = 2} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<4x3x3x3xf32>
  return
}
