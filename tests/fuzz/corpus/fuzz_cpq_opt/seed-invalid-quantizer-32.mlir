func @quantize_train_tensor_id_missing(%x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64) {
  // expected-error @+1 {{requires attribute 'tensor_id'}}
  %q = cpq.quantize_train %x, %a, %s, %n, %n {grid = "signed", bits = 2} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64) -> tensor<4x3x3x3xf32>
  return
}
