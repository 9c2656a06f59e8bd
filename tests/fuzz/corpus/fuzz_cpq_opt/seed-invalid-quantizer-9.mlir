func @quantize_dropbits_p_negative(%x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>) {
  // expected-error @+1 {{dropbits_p must be in [0, 1), got -0.25}}
  %q = cpq.quantize %x, %a, %s {grid = "signed", bits = 2, dropbits_p = -0.25} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<4x3x3x3xf32>
  return
}
