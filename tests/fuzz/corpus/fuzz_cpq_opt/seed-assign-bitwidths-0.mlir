// --cpq-assign-bitwidths: the bit-width the deterministic gates chose, on the
// same grid points (alpha scaled by 2^(b - l)).

// Gates of levels 2 and 3 open (S(3) * 1.2 - 0.1 > 0.5), level 4 closed: 3 bits.
func @three_of_four(%x: tensor<8xf32>) -> tensor<8xf32> {
  %a = cpq.param "a" {init = "constant", value = dense<[0.25]> : tensor<1xf32>} : tensor<1xf32>
  %s = cpq.param "s" {init = "constant", value = dense<[0.0625]> : tensor<1xf32>} : tensor<1xf32>
  %g = cpq.param "g" {init = "constant", value = dense<[3.0, 3.0, -3.0]> : tensor<3xf32>} : tensor<3xf32>
  // expected-remark @+1 {{learned bit-width 3 of 4 (deterministic gates 1.000 1.000 0.000)}}
  %q = cpq.quantize %x, %a, %s, %g {grid = "signed", bits = 4, dropbits_p = 0.25, gate_lambda = 0.01} : (tensor<8xf32>, tensor<1xf32>, tensor<1xf32>, tensor<3xf32>) -> tensor<8xf32>
  return %q : tensor<8xf32>
}
