// A VGG-style network with batch normalisation and residual additions, for
// 28x28 grey images: two stages of [conv3x3-BN-ReLU, conv3x3-BN, + input,
// ReLU, maxpool 2], then global average pooling and a dense classifier.
// Convolutions followed by batch norm have no bias. This is the float32
// network; vgg_small_w2a2.mlir and vgg_small_w4a4.mlir are its quantized
// forms (see lenet5.mlir for the command).
func @vgg_small(%image: tensor<?x1x28x28xf32>) -> tensor<?x10xf32> {
  // Stem: 1 -> 32 channels.
  %w0 = cpq.param "stem.weight" {init = "he_normal"} : tensor<32x1x3x3xf32>
  %g0 = cpq.param "stem.bn.gamma" {init = "ones"} : tensor<32xf32>
  %b0 = cpq.param "stem.bn.beta" {init = "zeros"} : tensor<32xf32>
  %m0 = cpq.param "stem.bn.mean" {init = "zeros", trainable = false} : tensor<32xf32>
  %v0 = cpq.param "stem.bn.var" {init = "ones", trainable = false} : tensor<32xf32>
  %c0 = cpq.conv2d %image, %w0 {padding = [1, 1]} : (tensor<?x1x28x28xf32>, tensor<32x1x3x3xf32>) -> tensor<?x32x28x28xf32>
  %n0 = cpq.batch_norm %c0, %g0, %b0, %m0, %v0 : (tensor<?x32x28x28xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>) -> tensor<?x32x28x28xf32>
  %r0 = cpq.relu %n0 : tensor<?x32x28x28xf32>

  // Stage 1: residual block at 32 channels, 28x28 -> 14x14.
  %w1 = cpq.param "stage1.conv1.weight" {init = "he_normal"} : tensor<32x32x3x3xf32>
  %g1 = cpq.param "stage1.bn1.gamma" {init = "ones"} : tensor<32xf32>
  %b1 = cpq.param "stage1.bn1.beta" {init = "zeros"} : tensor<32xf32>
  %m1 = cpq.param "stage1.bn1.mean" {init = "zeros", trainable = false} : tensor<32xf32>
  %v1 = cpq.param "stage1.bn1.var" {init = "ones", trainable = false} : tensor<32xf32>
  %c1 = cpq.conv2d %r0, %w1 {padding = [1, 1]} : (tensor<?x32x28x28xf32>, tensor<32x32x3x3xf32>) -> tensor<?x32x28x28xf32>
  %n1 = cpq.batch_norm %c1, %g1, %b1, %m1, %v1 : (tensor<?x32x28x28xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>) -> tensor<?x32x28x28xf32>
  %r1 = cpq.relu %n1 : tensor<?x32x28x28xf32>
  %w2 = cpq.param "stage1.conv2.weight" {init = "he_normal"} : tensor<32x32x3x3xf32>
  %g2 = cpq.param "stage1.bn2.gamma" {init = "ones"} : tensor<32xf32>
  %b2 = cpq.param "stage1.bn2.beta" {init = "zeros"} : tensor<32xf32>
  %m2 = cpq.param "stage1.bn2.mean" {init = "zeros", trainable = false} : tensor<32xf32>
  %v2 = cpq.param "stage1.bn2.var" {init = "ones", trainable = false} : tensor<32xf32>
  %c2 = cpq.conv2d %r1, %w2 {padding = [1, 1]} : (tensor<?x32x28x28xf32>, tensor<32x32x3x3xf32>) -> tensor<?x32x28x28xf32>
  %n2 = cpq.batch_norm %c2, %g2, %b2, %m2, %v2 : (tensor<?x32x28x28xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>, tensor<32xf32>) -> tensor<?x32x28x28xf32>
  %s1 = cpq.add %n2, %r0 : tensor<?x32x28x28xf32>
  %o1 = cpq.relu %s1 : tensor<?x32x28x28xf32>
  %p1 = cpq.maxpool2d %o1 {kernel = [2, 2]} : (tensor<?x32x28x28xf32>) -> tensor<?x32x14x14xf32>

  // Stage 2: widen to 64 channels, residual block, 14x14 -> 7x7.
  %w3 = cpq.param "stage2.conv0.weight" {init = "he_normal"} : tensor<64x32x3x3xf32>
  %g3 = cpq.param "stage2.bn0.gamma" {init = "ones"} : tensor<64xf32>
  %b3 = cpq.param "stage2.bn0.beta" {init = "zeros"} : tensor<64xf32>
  %m3 = cpq.param "stage2.bn0.mean" {init = "zeros", trainable = false} : tensor<64xf32>
  %v3 = cpq.param "stage2.bn0.var" {init = "ones", trainable = false} : tensor<64xf32>
  %c3 = cpq.conv2d %p1, %w3 {padding = [1, 1]} : (tensor<?x32x14x14xf32>, tensor<64x32x3x3xf32>) -> tensor<?x64x14x14xf32>
  %n3 = cpq.batch_norm %c3, %g3, %b3, %m3, %v3 : (tensor<?x64x14x14xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<?x64x14x14xf32>
  %r3 = cpq.relu %n3 : tensor<?x64x14x14xf32>
  %w4 = cpq.param "stage2.conv1.weight" {init = "he_normal"} : tensor<64x64x3x3xf32>
  %g4 = cpq.param "stage2.bn1.gamma" {init = "ones"} : tensor<64xf32>
  %b4 = cpq.param "stage2.bn1.beta" {init = "zeros"} : tensor<64xf32>
  %m4 = cpq.param "stage2.bn1.mean" {init = "zeros", trainable = false} : tensor<64xf32>
  %v4 = cpq.param "stage2.bn1.var" {init = "ones", trainable = false} : tensor<64xf32>
  %c4 = cpq.conv2d %r3, %w4 {padding = [1, 1]} : (tensor<?x64x14x14xf32>, tensor<64x64x3x3xf32>) -> tensor<?x64x14x14xf32>
  %n4 = cpq.batch_norm %c4, %g4, %b4, %m4, %v4 : (tensor<?x64x14x14xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<?x64x14x14xf32>
  %r4 = cpq.relu %n4 : tensor<?x64x14x14xf32>
  %w5 = cpq.param "stage2.conv2.weight" {init = "he_normal"} : tensor<64x64x3x3xf32>
  %g5 = cpq.param "stage2.bn2.gamma" {init = "ones"} : tensor<64xf32>
  %b5 = cpq.param "stage2.bn2.beta" {init = "zeros"} : tensor<64xf32>
  %m5 = cpq.param "stage2.bn2.mean" {init = "zeros", trainable = false} : tensor<64xf32>
  %v5 = cpq.param "stage2.bn2.var" {init = "ones", trainable = false} : tensor<64xf32>
  %c5 = cpq.conv2d %r4, %w5 {padding = [1, 1]} : (tensor<?x64x14x14xf32>, tensor<64x64x3x3xf32>) -> tensor<?x64x14x14xf32>
  %n5 = cpq.batch_norm %c5, %g5, %b5, %m5, %v5 : (tensor<?x64x14x14xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<?x64x14x14xf32>
  %s2 = cpq.add %n5, %r3 : tensor<?x64x14x14xf32>
  %o2 = cpq.relu %s2 : tensor<?x64x14x14xf32>
  %p2 = cpq.maxpool2d %o2 {kernel = [2, 2]} : (tensor<?x64x14x14xf32>) -> tensor<?x64x7x7xf32>

  // Head: global average pooling and the classifier.
  %gap = cpq.avgpool2d %p2 {kernel = [7, 7]} : (tensor<?x64x7x7xf32>) -> tensor<?x64x1x1xf32>
  %f = cpq.flatten %gap : (tensor<?x64x1x1xf32>) -> tensor<?x64xf32>
  %wf = cpq.param "fc.weight" {init = "he_normal"} : tensor<10x64xf32>
  %bf = cpq.param "fc.bias" {init = "zeros"} : tensor<10xf32>
  %logits = cpq.dense %f, %wf, %bf : (tensor<?x64xf32>, tensor<10x64xf32>, tensor<10xf32>) -> tensor<?x10xf32>
  return %logits : tensor<?x10xf32>
}
