// cpq.quantize_train: attributes, input, the quantizer's options and scales, tensor_id.

func @quantize_train_grid_missing(%x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64) {
  // expected-error @+1 {{requires attribute 'grid'}}
  %q = cpq.quantize_train %x, %a, %s, %n, %n {bits = 2, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64) -> tensor<4x3x3x3xf32>
  return
}
