func @requantize_bits_above_8(%acc: tensor<?x4xi32>, %s: tensor<4xf32>, %b: tensor<4xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{bits must be in 1..8, got 9}}
  %r = cpq.requantize %acc, %s, %b, %a {grid = "unsigned", bits = 9} : (tensor<?x4xi32>, tensor<4xf32>, tensor<4xf32>, tensor<1xf32>) -> tensor<?x4xui8>
  return
}
