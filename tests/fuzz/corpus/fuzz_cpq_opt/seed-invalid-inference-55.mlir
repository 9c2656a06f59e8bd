// cpq.qdense: attributes, operands, bits and packed rows.

func @qdense_grid_missing(%x: tensor<?x12xui8>, %p: tensor<5x3xui8>) {
  // expected-error @+1 {{requires attribute 'grid'}}
  %r = cpq.qdense %x, %p {bits = 2} : (tensor<?x12xui8>, tensor<5x3xui8>) -> tensor<?x5xi32>
  return
}
