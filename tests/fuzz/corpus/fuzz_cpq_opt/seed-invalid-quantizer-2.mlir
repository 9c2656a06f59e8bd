func @quantize_grid_unknown(%w: tensor<4x3x3x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{attribute 'grid' failed to satisfy constraint: grid kind: "signed", "unsigned" or "symmetric"}}
  %q = cpq.quantize %w, %a, %a {grid = "ternary", bits = 2} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<4x3x3x3xf32>
  return
}
