// --cpq-freeze: integer layers with requantization (batch norm, bias, ReLU
// and the next quantizer folded into one scale and bias per channel), float
// fallbacks, and its errors.

// Levels q_x (step 0.5) times packed weights (step 0.25 per channel, 2 bits):
// scale = 0.5 * 0.25 * s, s = gamma / sqrt(var + eps) = 2 / sqrt(4 + 1e-5) ~ 1,
// bias = (b - mean) * s + beta ~ (1 - 3) * 1 + 0.5 = -1.5.
func @net(%x: tensor<?x2x4x4xf32>) -> tensor<?x3x2x2xf32> {
  %ax = cpq.param "ax" {init = "constant", value = dense<0.5> : tensor<1xf32>} : tensor<1xf32>
  %xq = cpq.quantize %x, %ax, %ax {grid = "unsigned", bits = 4} : (tensor<?x2x4x4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x2x4x4xf32>
  %w = cpq.param "w" {init = "constant", value = dense<0.1> : tensor<3x2x3x3xf32>} : tensor<3x2x3x3xf32>
  %aw = cpq.param "aw" {init = "constant", value = dense<0.25> : tensor<3xf32>} : tensor<3xf32>
  %wq = cpq.quantize %w, %aw, %aw {grid = "signed", bits = 2, axis = 0} : (tensor<3x2x3x3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<3x2x3x3xf32>
  %b = cpq.param "b" {init = "constant", value = dense<1.0> : tensor<3xf32>} : tensor<3xf32>
  %c = cpq.conv2d %xq, %wq, %b : (tensor<?x2x4x4xf32>, tensor<3x2x3x3xf32>, tensor<3xf32>) -> tensor<?x3x2x2xf32>
  %g = cpq.param "g" {init = "constant", value = dense<2.0> : tensor<3xf32>} : tensor<3xf32>
  %be = cpq.param "be" {init = "constant", value = dense<0.5> : tensor<3xf32>} : tensor<3xf32>
  %m = cpq.param "m" {init = "constant", value = dense<3.0> : tensor<3xf32>, trainable = false} : tensor<3xf32>
  %v = cpq.param "v" {init = "constant", value = dense<4.0> : tensor<3xf32>, trainable = false} : tensor<3xf32>
  %n = cpq.batch_norm %c, %g, %be, %m, %v : (tensor<?x3x2x2xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x3x2x2xf32>
  %r = cpq.relu %n : tensor<?x3x2x2xf32>
  %an = cpq.param "an" {init = "constant", value = dense<0.125> : tensor<1xf32>} : tensor<1xf32>
  %rq = cpq.quantize %r, %an, %an {grid = "unsigned", bits = 2} : (tensor<?x3x2x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x3x2x2xf32>
  return %rq : tensor<?x3x2x2xf32>
}
