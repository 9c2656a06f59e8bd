// The outside project's image classifier for 28x28 grey images
// (Fashion-MNIST), small enough to train and compile in seconds: 8C5-MP2-10FC.
func @cnn(%image: tensor<?x1x28x28xf32>) -> tensor<?x10xf32> {
  %w1 = cpq.param "conv1.weight" {init = "he_normal"} : tensor<8x1x5x5xf32>
  %b1 = cpq.param "conv1.bias" {init = "zeros"} : tensor<8xf32>
  %c1 = cpq.conv2d %image, %w1, %b1 : (tensor<?x1x28x28xf32>, tensor<8x1x5x5xf32>, tensor<8xf32>) -> tensor<?x8x24x24xf32>
  %r1 = cpq.relu %c1 : tensor<?x8x24x24xf32>
  %p1 = cpq.maxpool2d %r1 {kernel = [2, 2]} : (tensor<?x8x24x24xf32>) -> tensor<?x8x12x12xf32>
  %f = cpq.flatten %p1 : (tensor<?x8x12x12xf32>) -> tensor<?x1152xf32>
  %w2 = cpq.param "fc.weight" {init = "glorot_uniform"} : tensor<10x1152xf32>
  %b2 = cpq.param "fc.bias" {init = "zeros"} : tensor<10xf32>
  %logits = cpq.dense %f, %w2, %b2 : (tensor<?x1152xf32>, tensor<10x1152xf32>, tensor<10xf32>) -> tensor<?x10xf32>
  return %logits : tensor<?x10xf32>
}
