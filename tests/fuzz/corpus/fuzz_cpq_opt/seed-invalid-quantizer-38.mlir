func @quantize_train_dropbits_on_symmetric(%x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64) {
  // expected-error @+1 {{DropBits need nested sub-grids; the symmetric grid has none (use signed or unsigned)}}
  %q = cpq.quantize_train %x, %a, %s, %n, %n {grid = "symmetric", bits = 2, dropbits_p = 0.3, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64) -> tensor<4x3x3x3xf32>
  return
}
