// expected-error @+1 {{the network must return one value, the logits (N x classes, float32)}}
func @no_logits(%x: tensor<?x2x3xf32>) -> tensor<?x2x3xf32> {
  %w = cpq.param "w" {init = "zeros"} : tensor<3xf32>
  return %x : tensor<?x2x3xf32>
}
