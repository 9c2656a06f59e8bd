func @quantize_train_alpha_per_tensor_mismatch(%x: tensor<4x3x3x3xf32>, %a: tensor<4xf32>, %s: tensor<4xf32>, %n: i64) {
  // expected-error @+1 {{alpha has 4 entries; a per-tensor quantizer takes one (set axis for per-channel)}}
  %q = cpq.quantize_train %x, %a, %s, %n, %n {grid = "signed", bits = 2, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<4xf32>, tensor<4xf32>, i64, i64) -> tensor<4x3x3x3xf32>
  return
}
