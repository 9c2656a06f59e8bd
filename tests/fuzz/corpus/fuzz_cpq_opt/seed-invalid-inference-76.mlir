func @requantize_next_alpha_without_grid(%acc: tensor<?x4xi32>, %s: tensor<4xf32>, %b: tensor<4xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{with next_alpha, needs the next quantizer's grid and bits attributes}}
  %r = cpq.requantize %acc, %s, %b, %a {bits = 2} : (tensor<?x4xi32>, tensor<4xf32>, tensor<4xf32>, tensor<1xf32>) -> tensor<?x4xui8>
  return
}
