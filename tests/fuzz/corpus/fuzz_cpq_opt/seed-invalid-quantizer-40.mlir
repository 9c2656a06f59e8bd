func @quantize_train_dropbits_one_bit(%x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64) {
  // expected-error @+1 {{DropBits need at least 2 bits: a 1-bit grid has no level to drop}}
  %q = cpq.quantize_train %x, %a, %s, %n, %n {grid = "signed", bits = 1, dropbits_p = 0.3, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64) -> tensor<4x3x3x3xf32>
  return
}
