// All gates open: the full bit-width and the same parameters.
func @all_open(%x: tensor<8xf32>) -> tensor<8xf32> {
  %a = cpq.param "a" {init = "constant", value = dense<[0.25]> : tensor<1xf32>} : tensor<1xf32>
  %g = cpq.param "g" {init = "constant", value = dense<[3.0, 3.0]> : tensor<2xf32>} : tensor<2xf32>
  // expected-remark @+1 {{learned bit-width 3 of 3}}
  %q = cpq.quantize %x, %a, %a, %g {grid = "signed", bits = 3} : (tensor<8xf32>, tensor<1xf32>, tensor<1xf32>, tensor<2xf32>) -> tensor<8xf32>
  return %q : tensor<8xf32>
}
