// A small float network with convolution, batch norm, a residual addition,
// pooling and dense layers, and a W2A2 quantizer on its last weight: the
// code generator's tests compile it ahead of time (cpq_add_network) and JIT.
func @net(%x: tensor<?x2x6x6xf32>) -> tensor<?x3xf32> {
  %w1 = cpq.param "w1" {init = "he_normal"} : tensor<4x2x3x3xf32>
  %b1 = cpq.param "b1" {init = "zeros"} : tensor<4xf32>
  %c1 = cpq.conv2d %x, %w1, %b1 {padding = [1, 1]} : (tensor<?x2x6x6xf32>, tensor<4x2x3x3xf32>, tensor<4xf32>) -> tensor<?x4x6x6xf32>
  %g = cpq.param "g" {init = "ones"} : tensor<4xf32>
  %be = cpq.param "be" {init = "zeros"} : tensor<4xf32>
  %m = cpq.param "m" {init = "zeros", trainable = false} : tensor<4xf32>
  %v = cpq.param "v" {init = "ones", trainable = false} : tensor<4xf32>
  %n1 = cpq.batch_norm %c1, %g, %be, %m, %v : (tensor<?x4x6x6xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4x6x6xf32>
  %r1 = cpq.relu %n1 : tensor<?x4x6x6xf32>
  %w2 = cpq.param "w2" {init = "he_normal"} : tensor<4x4x3x3xf32>
  %c2 = cpq.conv2d %r1, %w2 {padding = [1, 1]} : (tensor<?x4x6x6xf32>, tensor<4x4x3x3xf32>) -> tensor<?x4x6x6xf32>
  %s = cpq.add %c2, %r1 : tensor<?x4x6x6xf32>
  %p = cpq.avgpool2d %s {kernel = [2, 2]} : (tensor<?x4x6x6xf32>) -> tensor<?x4x3x3xf32>
  %q = cpq.maxpool2d %p {kernel = [2, 2], stride = [1, 1]} : (tensor<?x4x3x3xf32>) -> tensor<?x4x2x2xf32>
  %f = cpq.flatten %q : (tensor<?x4x2x2xf32>) -> tensor<?x16xf32>
  %w3 = cpq.param "w3" {init = "he_normal"} : tensor<3x16xf32>
  %b3 = cpq.param "b3" {init = "zeros"} : tensor<3xf32>
  %a3 = cpq.param "w3.alpha" {init = "constant", value = dense<0.25> : tensor<3xf32>} : tensor<3xf32>
  %s3 = cpq.param "w3.sigma" {init = "constant", value = dense<0.0625> : tensor<3xf32>} : tensor<3xf32>
  %q3 = cpq.quantize %w3, %a3, %s3 {grid = "signed", bits = 2, axis = 0, dropbits_p = 0.5} : (tensor<3x16xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<3x16xf32>
  %y = cpq.dense %f, %q3, %b3 : (tensor<?x16xf32>, tensor<3x16xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}
