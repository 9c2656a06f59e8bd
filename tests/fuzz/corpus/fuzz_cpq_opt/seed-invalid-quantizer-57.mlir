// cpq.quantize_grad: attributes, input and output_grad, the quantizer's options and scales, tensor_id.

func @quantize_grad_grid_missing(%dy: tensor<4x3x3x3xf32>, %x: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>, %n: i64) {
  // expected-error @+1 {{requires attribute 'grid'}}
  %d:3 = cpq.quantize_grad %dy, %x, %a, %s, %n, %n {bits = 2, tensor_id = 0} : (tensor<4x3x3x3xf32>, tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64) -> (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>)
  return
}
