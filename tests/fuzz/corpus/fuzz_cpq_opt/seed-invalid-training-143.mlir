// cpq.square: float tensors only.

func @square_of_integers(%x: tensor<4xi32>) {
  // expected-error @+1 {{operand #0 must be}}
  %r = cpq.square %x : tensor<4xi32>
  return
}
