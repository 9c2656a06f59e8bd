// Level 2 closed: 1 bit, and DropBits has nothing left to drop.
func @one_bit(%x: tensor<8xf32>) -> tensor<8xf32> {
  %a = cpq.param "a" {init = "constant", value = dense<[0.25]> : tensor<1xf32>} : tensor<1xf32>
  %g = cpq.param "g" {init = "constant", value = dense<[-3.0]> : tensor<1xf32>} : tensor<1xf32>
  // expected-remark @+1 {{learned bit-width 1 of 2}}
  %q = cpq.quantize %x, %a, %a, %g {grid = "unsigned", bits = 2, dropbits_p = 0.25} : (tensor<8xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<8xf32>
  return %q : tensor<8xf32>
}
