func @quantize_train_dropbits_p_out_of_range(%x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64) {
  // expected-error @+1 {{dropbits_p must be in [0, 1), got 1}}
  %q = cpq.quantize_train %x, %a, %s, %n, %n {grid = "signed", bits = 2, dropbits_p = 1.0, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64) -> tensor<4x3x3x3xf32>
  return
}
