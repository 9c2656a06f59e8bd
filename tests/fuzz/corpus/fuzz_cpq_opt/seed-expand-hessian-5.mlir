// A network of untrainable parameters has nothing to differentiate.
// expected-error @+1 {{no trainable parameter reaches the loss: no Hessian to compute}}
func @frozen(%x: tensor<?x6xf32>) -> tensor<?x3xf32> {
  %w = cpq.param "w" {init = "he_normal", trainable = false} : tensor<3x6xf32>
  %y = cpq.dense %x, %w : (tensor<?x6xf32>, tensor<3x6xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}
