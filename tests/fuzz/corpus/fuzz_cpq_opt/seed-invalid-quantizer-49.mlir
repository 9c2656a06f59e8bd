func @quantize_train_axis_dynamic(%x: tensor<?x3x8x8xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64) {
  // expected-error @+1 {{per-channel axis 0 has a dynamic size; quantize per tensor}}
  %q = cpq.quantize_train %x, %a, %s, %n, %n {grid = "unsigned", bits = 2, axis = 0, tensor_id = 0} : (tensor<?x3x8x8xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64) -> tensor<?x3x8x8xf32>
  return
}
