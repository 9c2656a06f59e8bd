// Verifier errors of the inference ops: encode, decode, pack, qconv2d, qdense and requantize.

// cpq.encode: attributes, input and alpha, bits, the grid's levels and the result type.

func @encode_grid_missing(%x: tensor<?x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{requires attribute 'grid'}}
  %r = cpq.encode %x, %a {bits = 4} : (tensor<?x3xf32>, tensor<1xf32>) -> tensor<?x3xui8>
  return
}
