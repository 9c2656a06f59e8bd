// A parameter off the path to the loss is kept, with a warning.
func @unused(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %w = cpq.param "w" {init = "he_normal"} : tensor<4x4xf32>
  // expected-warning @+1 {{parameter "spare" does not reach the loss; train_step leaves it unchanged}}
  %spare = cpq.param "spare" {init = "zeros"} : tensor<4xf32>
  %y = cpq.dense %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}
