func @qconv2d_input_not_codes(%x: tensor<?x3x8x8xf32>, %p: tensor<4x7xui8>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 8-bit unsigned integer or 8-bit signed integer values}}
  %y = cpq.qconv2d %x, %p {grid = "signed", bits = 2, kernel = [3, 3]} : (tensor<?x3x8x8xf32>, tensor<4x7xui8>) -> tensor<?x4x6x6xi32>
  return
}
