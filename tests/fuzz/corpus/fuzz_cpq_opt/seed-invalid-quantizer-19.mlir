func @quantize_axis_outside_rank(%w: tensor<4x3x3x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{axis 4 is outside the input's rank 4}}
  %q = cpq.quantize %w, %a, %a {grid = "signed", bits = 2, axis = 4} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<4x3x3x3xf32>
  return
}
