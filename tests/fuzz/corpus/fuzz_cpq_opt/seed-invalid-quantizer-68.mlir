func @quantize_grad_dropbits_p_negative(%dy: tensor<4x3x3x3xf32>, %x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64) {
  // expected-error @+1 {{dropbits_p must be in [0, 1), got -0.25}}
  %d:3 = cpq.quantize_grad %dy, %x, %a, %s, %n, %n {grid = "signed", bits = 2, dropbits_p = -0.25, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64) -> (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>)
  return
}
