func @quantize_grad_alpha_per_tensor_mismatch(%dy: tensor<4x3x3x3xf32>, %x: tensor<4x3x3x3xf32>, %a: tensor<4xf32>, %s: tensor<4xf32>, %n: i64) {
  // expected-error @+1 {{alpha has 4 entries; a per-tensor quantizer takes one (set axis for per-channel)}}
  %d:3 = cpq.quantize_grad %dy, %x, %a, %s, %n, %n {grid = "signed", bits = 2, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>, tensor<4xf32>, i64, i64) -> (tensor<4x3x3x3xf32>, tensor<4xf32>, tensor<4xf32>)
  return
}
