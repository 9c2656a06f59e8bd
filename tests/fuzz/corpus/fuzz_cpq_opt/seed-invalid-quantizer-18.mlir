func @quantize_sigma_rank(%x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<f32>) {
  // expected-error @+1 {{sigma must have rank 1, got []}}
  %q = cpq.quantize %x, %a, %s {grid = "signed", bits = 2} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<f32>) -> tensor<4x3x3x3xf32>
  return
}
