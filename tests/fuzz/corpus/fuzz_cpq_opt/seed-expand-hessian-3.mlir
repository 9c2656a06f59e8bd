func @quantized(%x: tensor<?x6xf32>) -> tensor<?x3xf32> {
  %w = cpq.param "w" {init = "he_normal"} : tensor<3x6xf32>
  %a = cpq.param "a" {init = "constant", value = dense<0.5> : tensor<1xf32>} : tensor<1xf32>
  %s = cpq.param "s" {init = "constant", value = dense<0.125> : tensor<1xf32>} : tensor<1xf32>
  // expected-error @+1 {{'cpq.quantize' op has no second-order backward pass}}
  %wq = cpq.quantize %w, %a, %s {grid = "signed", bits = 2} : (tensor<3x6xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<3x6xf32>
  %y = cpq.dense %x, %wq : (tensor<?x6xf32>, tensor<3x6xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}
