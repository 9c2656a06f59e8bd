func @quantize_sigma_unranked(%x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<*xf32>) {
  // expected-error @+1 {{sigma must be a ranked tensor}}
  %q = cpq.quantize %x, %a, %s {grid = "signed", bits = 2} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<*xf32>) -> tensor<4x3x3x3xf32>
  return
}
