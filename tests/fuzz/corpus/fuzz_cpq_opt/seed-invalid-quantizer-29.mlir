func @quantize_train_bits_missing(%x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64) {
  // expected-error @+1 {{requires attribute 'bits'}}
  %q = cpq.quantize_train %x, %a, %s, %n, %n {grid = "signed", tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64) -> tensor<4x3x3x3xf32>
  return
}
