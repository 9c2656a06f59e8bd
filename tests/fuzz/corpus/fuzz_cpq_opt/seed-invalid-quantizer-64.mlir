func @quantize_grad_output_grad_shape_mismatch(%w: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %dy: tensor<4x3x3x1xf32>, %s: i64) {
  // expected-error @+1 {{output_grad has shape [4, 3, 3, 1], expected [4, 3, 3, 3]}}
  %d:3 = cpq.quantize_grad %dy, %w, %a, %a, %s, %s {grid = "signed", bits = 2, tensor_id = 0} : (tensor<4x3x3x1xf32>, tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64) -> (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>)
  return
}
