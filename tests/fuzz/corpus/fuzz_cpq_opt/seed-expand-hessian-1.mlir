// A convolution with a residual sum: the curvature of %r is summed over its
// two uses; max pooling and flatten pass it on; an untrainable parameter
// gets no result.
func @residual(%x: tensor<?x2x6x6xf32>) -> tensor<?x3xf32> {
  %w1 = cpq.param "w1" {init = "he_normal"} : tensor<4x2x3x3xf32>
  %c1 = cpq.conv2d %x, %w1 {padding = [1, 1]} : (tensor<?x2x6x6xf32>, tensor<4x2x3x3xf32>) -> tensor<?x4x6x6xf32>
  %r = cpq.relu %c1 : tensor<?x4x6x6xf32>
  %w2 = cpq.param "w2" {init = "he_normal", trainable = false} : tensor<4x4x3x3xf32>
  %c2 = cpq.conv2d %r, %w2 {padding = [1, 1]} : (tensor<?x4x6x6xf32>, tensor<4x4x3x3xf32>) -> tensor<?x4x6x6xf32>
  %s = cpq.add %c2, %r : tensor<?x4x6x6xf32>
  %p = cpq.maxpool2d %s {kernel = [2, 2]} : (tensor<?x4x6x6xf32>) -> tensor<?x4x3x3xf32>
  %f = cpq.flatten %p : (tensor<?x4x3x3xf32>) -> tensor<?x36xf32>
  %w3 = cpq.param "w3" {init = "he_normal"} : tensor<3x36xf32>
  %y = cpq.dense %f, %w3 : (tensor<?x36xf32>, tensor<3x36xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}
