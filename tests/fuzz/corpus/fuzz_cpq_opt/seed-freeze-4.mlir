// A float convolution followed by batch norm: the norm goes into the weights.
func @float_net(%x: tensor<?x1x3x3xf32>) -> tensor<?x2x1x1xf32> {
  %w = cpq.param "w" {init = "constant", value = dense<1.0> : tensor<2x1x3x3xf32>} : tensor<2x1x3x3xf32>
  %g = cpq.param "g" {init = "constant", value = dense<[3.0, 4.0]> : tensor<2xf32>} : tensor<2xf32>
  %be = cpq.param "be" {init = "constant", value = dense<1.0> : tensor<2xf32>} : tensor<2xf32>
  %m = cpq.param "m" {init = "constant", value = dense<2.0> : tensor<2xf32>, trainable = false} : tensor<2xf32>
  %v = cpq.param "v" {init = "constant", value = dense<1.0> : tensor<2xf32>, trainable = false} : tensor<2xf32>
  %c = cpq.conv2d %x, %w : (tensor<?x1x3x3xf32>, tensor<2x1x3x3xf32>) -> tensor<?x2x1x1xf32>
  %n = cpq.batch_norm %c, %g, %be, %m, %v : (tensor<?x2x1x1xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<?x2x1x1xf32>
  return %n : tensor<?x2x1x1xf32>
}
