func @quantize_train_input_unranked(%x: tensor<*xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64) {
  // expected-error @+1 {{input must be a ranked tensor}}
  %q = cpq.quantize_train %x, %a, %s, %n, %n {grid = "signed", bits = 2, tensor_id = 0} : (tensor<*xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64) -> tensor<*xf32>
  return
}
