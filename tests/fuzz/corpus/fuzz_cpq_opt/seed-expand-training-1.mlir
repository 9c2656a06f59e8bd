// A value used twice (residual): its gradients add up.
func @residual(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %w = cpq.param "w" {init = "he_normal"} : tensor<4x4xf32>
  %h = cpq.dense %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %r = cpq.relu %h : tensor<?x4xf32>
  %y = cpq.dense %r, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %s = cpq.add %y, %r : tensor<?x4xf32>
  return %s : tensor<?x4xf32>
}
