// Layers without a second-order pass are refused.
func @normed(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %g = cpq.param "g" {init = "ones"} : tensor<4xf32>
  %b = cpq.param "b" {init = "zeros"} : tensor<4xf32>
  %m = cpq.param "m" {init = "zeros", trainable = false} : tensor<4xf32>
  %v = cpq.param "v" {init = "ones", trainable = false} : tensor<4xf32>
  // expected-error @+1 {{'cpq.batch_norm' op has no second-order backward pass (--cpq-expand-hessian supports conv2d, dense, relu, maxpool2d, flatten and add)}}
  %y = cpq.batch_norm %x, %g, %b, %m, %v : (tensor<?x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}
