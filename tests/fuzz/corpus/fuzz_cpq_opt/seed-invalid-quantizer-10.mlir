func @quantize_dropbits_on_symmetric(%w: tensor<4x3x3x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{DropBits need nested sub-grids; the symmetric grid has none}}
  %q = cpq.quantize %w, %a, %a {grid = "symmetric", bits = 2, dropbits_p = 0.3} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<4x3x3x3xf32>
  return
}
