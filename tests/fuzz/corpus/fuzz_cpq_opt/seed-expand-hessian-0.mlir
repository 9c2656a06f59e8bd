// --cpq-expand-hessian: the second-order backward pass of small networks
// (squared weights for a layer's input, squared inputs for its weights,
// curvatures summed over a value's uses), its roles, and its refusals.

// Dense -> relu -> dense.
func @mlp(%x: tensor<?x6xf32>) -> tensor<?x3xf32> {
  %w1 = cpq.param "w1" {init = "he_normal"} : tensor<5x6xf32>
  %b1 = cpq.param "b1" {init = "zeros"} : tensor<5xf32>
  %h = cpq.dense %x, %w1, %b1 : (tensor<?x6xf32>, tensor<5x6xf32>, tensor<5xf32>) -> tensor<?x5xf32>
  %r = cpq.relu %h : tensor<?x5xf32>
  %w2 = cpq.param "w2" {init = "he_normal"} : tensor<3x5xf32>
  %y = cpq.dense %r, %w2 : (tensor<?x5xf32>, tensor<3x5xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}
// The input's curvature is not needed: no square of w1.
