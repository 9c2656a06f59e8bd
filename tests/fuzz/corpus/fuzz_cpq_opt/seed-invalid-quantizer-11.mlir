func @quantize_gates_on_symmetric(%w: tensor<4x3x3x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{learned gates need nested sub-grids; the symmetric grid has none}}
  %q = cpq.quantize %w, %a, %a, %a {grid = "symmetric", bits = 2} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<4x3x3x3xf32>
  return
}
