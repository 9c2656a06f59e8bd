// cpq.requantize: input, scale and bias, next_alpha and the next quantizer's grid and bits.

func @requantize_grid_unknown(%acc: tensor<?x4xi32>, %s: tensor<4xf32>, %b: tensor<4xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{attribute 'grid' failed to satisfy constraint: grid kind: "signed", "unsigned" or "symmetric"}}
  %r = cpq.requantize %acc, %s, %b, %a {grid = "ternary", bits = 2} : (tensor<?x4xi32>, tensor<4xf32>, tensor<4xf32>, tensor<1xf32>) -> tensor<?x4xui8>
  return
}
