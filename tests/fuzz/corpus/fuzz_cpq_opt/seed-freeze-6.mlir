func @gated(%x: tensor<?x4xf32>) -> tensor<?x2xf32> {
  %w = cpq.param "w" {init = "constant", value = dense<1.0> : tensor<2x4xf32>} : tensor<2x4xf32>
  %a = cpq.param "a" {init = "constant", value = dense<1.0> : tensor<1xf32>} : tensor<1xf32>
  %g = cpq.param "g" {init = "constant", value = dense<1.0> : tensor<1xf32>} : tensor<1xf32>
  // expected-error @+1 {{has learned gates; fix its bit-width with --cpq-assign-bitwidths before freezing}}
  %wq = cpq.quantize %w, %a, %a, %g {grid = "signed", bits = 2} : (tensor<2x4xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<2x4xf32>
  %y = cpq.dense %x, %wq : (tensor<?x4xf32>, tensor<2x4xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}
