func @requantize_symmetric_8_bits(%acc: tensor<?x4xi32>, %s: tensor<4xf32>, %b: tensor<4xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{8-bit symmetric levels (odd integers up to 255) do not fit in si8 codes}}
  %r = cpq.requantize %acc, %s, %b, %a {relu, grid = "symmetric", bits = 8} : (tensor<?x4xi32>, tensor<4xf32>, tensor<4xf32>, tensor<1xf32>) -> tensor<?x4xsi8>
  return
}
