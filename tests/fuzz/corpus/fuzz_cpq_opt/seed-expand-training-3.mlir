// expected-error @+1 {{the network must take one argument, the input batch}}
func @two_inputs(%x: tensor<?x4xf32>, %z: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %w = cpq.param "w" {init = "he_normal"} : tensor<4x4xf32>
  %y = cpq.dense %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}
