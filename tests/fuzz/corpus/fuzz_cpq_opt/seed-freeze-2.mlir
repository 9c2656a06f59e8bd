// A negative scale (a batch norm's negative gamma) keeps the pooling on the
// levels: requantization is not monotone there.
func @pooled_negative(%x: tensor<?x1x4x4xf32>) -> tensor<?x2x1x1xf32> {
  %ax = cpq.param "ax" {init = "constant", value = dense<0.5> : tensor<1xf32>} : tensor<1xf32>
  %xq = cpq.quantize %x, %ax, %ax {grid = "unsigned", bits = 4} : (tensor<?x1x4x4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x1x4x4xf32>
  %w = cpq.param "w" {init = "constant", value = dense<0.1> : tensor<2x1x3x3xf32>} : tensor<2x1x3x3xf32>
  %aw = cpq.param "aw" {init = "constant", value = dense<0.25> : tensor<2xf32>} : tensor<2xf32>
  %wq = cpq.quantize %w, %aw, %aw {grid = "signed", bits = 2, axis = 0} : (tensor<2x1x3x3xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<2x1x3x3xf32>
  %c = cpq.conv2d %xq, %wq : (tensor<?x1x4x4xf32>, tensor<2x1x3x3xf32>) -> tensor<?x2x2x2xf32>
  %g = cpq.param "g" {init = "constant", value = dense<[1.0, -1.0]> : tensor<2xf32>} : tensor<2xf32>
  %be = cpq.param "be" {init = "constant", value = dense<0.0> : tensor<2xf32>} : tensor<2xf32>
  %m = cpq.param "m" {init = "constant", value = dense<0.0> : tensor<2xf32>, trainable = false} : tensor<2xf32>
  %v = cpq.param "v" {init = "constant", value = dense<1.0> : tensor<2xf32>, trainable = false} : tensor<2xf32>
  %n = cpq.batch_norm %c, %g, %be, %m, %v : (tensor<?x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<?x2x2x2xf32>
  %r = cpq.relu %n : tensor<?x2x2x2xf32>
  %an = cpq.param "an" {init = "constant", value = dense<0.125> : tensor<1xf32>} : tensor<1xf32>
  %rq = cpq.quantize %r, %an, %an {grid = "unsigned", bits = 2} : (tensor<?x2x2x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x2x2x2xf32>
  %p = cpq.maxpool2d %rq {kernel = [2, 2]} : (tensor<?x2x2x2xf32>) -> tensor<?x2x1x1xf32>
  return %p : tensor<?x2x1x1xf32>
}
