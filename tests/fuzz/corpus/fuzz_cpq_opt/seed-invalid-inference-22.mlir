// cpq.pack: attributes, weight and alpha, bits.

func @pack_grid_missing(%w: tensor<4x3x3x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{requires attribute 'grid'}}
  %r = cpq.pack %w, %a {bits = 2} : (tensor<4x3x3x3xf32>, tensor<1xf32>) -> tensor<4x7xui8>
  return
}
