// 8-bit activations times 8-bit weights over 16449 products can exceed the
// range in which the integer layer is exact: refused, not silently wrong.
func @too_long(%x: tensor<?x16449xf32>) -> tensor<?x1xf32> {
  %ax = cpq.param "ax" {init = "constant", value = dense<0.5> : tensor<1xf32>} : tensor<1xf32>
  %xq = cpq.quantize %x, %ax, %ax {grid = "unsigned", bits = 8} : (tensor<?x16449xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x16449xf32>
  %w = cpq.param "w" {init = "constant", value = dense<0.1> : tensor<1x16449xf32>} : tensor<1x16449xf32>
  %aw = cpq.param "aw" {init = "constant", value = dense<0.25> : tensor<1xf32>} : tensor<1xf32>
  %wq = cpq.quantize %w, %aw, %aw {grid = "signed", bits = 8, axis = 0} : (tensor<1x16449xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x16449xf32>
  // expected-error @+1 {{sums 16449 products of unsigned8 activations and signed8 weights, which can exceed the 2^29}}
  %y = cpq.dense %xq, %wq : (tensor<?x16449xf32>, tensor<1x16449xf32>) -> tensor<?x1xf32>
  return %y : tensor<?x1xf32>
}
