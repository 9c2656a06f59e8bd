func @quantize_train_axis_outside_rank(%x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64) {
  // expected-error @+1 {{axis 4 is outside the input's rank 4}}
  %q = cpq.quantize_train %x, %a, %s, %n, %n {grid = "signed", bits = 2, axis = 4, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64) -> tensor<4x3x3x3xf32>
  return
}
