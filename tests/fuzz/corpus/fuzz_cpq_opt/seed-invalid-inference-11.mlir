// cpq.decode: attributes, codes and alpha, bits and the grid's levels.

func @decode_grid_missing(%q: tensor<?x4xui8>, %a: tensor<1xf32>) {
  // expected-error @+1 {{requires attribute 'grid'}}
  %r = cpq.decode %q, %a {bits = 2} : (tensor<?x4xui8>, tensor<1xf32>) -> tensor<?x4xf32>
  return
}
