// A small network of an outside project: 16 features -> 8 hidden (ReLU)
// -> 4 outputs, the hidden layer's weights on the 2-bit signed grid with a
// per-row scale. The parameters without a value are arguments of the
// compiled function; the scales, which have values here, are compiled in.
func @mlp(%x: tensor<?x16xf32>) -> tensor<?x4xf32> {
  %w1 = cpq.param "fc1.weight" {init = "he_normal"} : tensor<8x16xf32>
  %b1 = cpq.param "fc1.bias" {init = "zeros"} : tensor<8xf32>
  %a1 = cpq.param "fc1.weight.alpha" {init = "constant", value = dense<0.25> : tensor<8xf32>} : tensor<8xf32>
  %s1 = cpq.param "fc1.weight.sigma" {init = "constant", value = dense<0.0625> : tensor<8xf32>} : tensor<8xf32>
  %q1 = cpq.quantize %w1, %a1, %s1 {grid = "signed", bits = 2, axis = 0} : (tensor<8x16xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<8x16xf32>
  %h = cpq.dense %x, %q1, %b1 : (tensor<?x16xf32>, tensor<8x16xf32>, tensor<8xf32>) -> tensor<?x8xf32>
  %r = cpq.relu %h : tensor<?x8xf32>
  %w2 = cpq.param "fc2.weight" {init = "he_normal"} : tensor<4x8xf32>
  %b2 = cpq.param "fc2.bias" {init = "zeros"} : tensor<4xf32>
  %y = cpq.dense %r, %w2, %b2 : (tensor<?x8xf32>, tensor<4x8xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}
