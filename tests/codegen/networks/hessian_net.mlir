// A small convolutional network for the second-order pass's tests
// (test_codegen_hessian, test_codegen_gpu): a padded convolution, ReLUs,
// max pooling, two dense layers.
func @net(%x: tensor<?x2x6x6xf32>) -> tensor<?x3xf32> {
  %w1 = cpq.param "w1" {init = "he_normal"} : tensor<3x2x3x3xf32>
  %b1 = cpq.param "b1" {init = "zeros"} : tensor<3xf32>
  %c1 = cpq.conv2d %x, %w1, %b1 {padding = [1, 1]} : (tensor<?x2x6x6xf32>, tensor<3x2x3x3xf32>, tensor<3xf32>) -> tensor<?x3x6x6xf32>
  %r1 = cpq.relu %c1 : tensor<?x3x6x6xf32>
  %p = cpq.maxpool2d %r1 {kernel = [2, 2]} : (tensor<?x3x6x6xf32>) -> tensor<?x3x3x3xf32>
  %f = cpq.flatten %p : (tensor<?x3x3x3xf32>) -> tensor<?x27xf32>
  %w2 = cpq.param "w2" {init = "he_normal"} : tensor<5x27xf32>
  %b2 = cpq.param "b2" {init = "zeros"} : tensor<5xf32>
  %h = cpq.dense %f, %w2, %b2 : (tensor<?x27xf32>, tensor<5x27xf32>, tensor<5xf32>) -> tensor<?x5xf32>
  %r2 = cpq.relu %h : tensor<?x5xf32>
  %w3 = cpq.param "w3" {init = "he_normal"} : tensor<3x5xf32>
  %b3 = cpq.param "b3" {init = "zeros"} : tensor<3xf32>
  %y = cpq.dense %r2, %w3, %b3 : (tensor<?x5xf32>, tensor<3x5xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}
