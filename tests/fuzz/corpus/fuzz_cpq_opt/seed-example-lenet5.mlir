// LeNet-5 as in the MNIST table of Relaxed Quantization (Louizos et al.,
// ICLR 2019): 32C5-MP2-64C5-MP2-512FC-10, valid convolutions, ReLU, for
// 28x28 grey images (MNIST, Fashion-MNIST). This is the float32 network;
// lenet5_w2a2.mlir and lenet5_w4a4.mlir are its quantized forms, made by
//   cpq-opt --cpq-quantize-network="weight-bits=2 activation-bits=2 dropbits-p=0.25" lenet5.mlir
func @lenet5(%image: tensor<?x1x28x28xf32>) -> tensor<?x10xf32> {
  %w1 = cpq.param "conv1.weight" {init = "he_normal"} : tensor<32x1x5x5xf32>
  %b1 = cpq.param "conv1.bias" {init = "zeros"} : tensor<32xf32>
  %c1 = cpq.conv2d %image, %w1, %b1 : (tensor<?x1x28x28xf32>, tensor<32x1x5x5xf32>, tensor<32xf32>) -> tensor<?x32x24x24xf32>
  %r1 = cpq.relu %c1 : tensor<?x32x24x24xf32>
  %p1 = cpq.maxpool2d %r1 {kernel = [2, 2]} : (tensor<?x32x24x24xf32>) -> tensor<?x32x12x12xf32>

  %w2 = cpq.param "conv2.weight" {init = "he_normal"} : tensor<64x32x5x5xf32>
  %b2 = cpq.param "conv2.bias" {init = "zeros"} : tensor<64xf32>
  %c2 = cpq.conv2d %p1, %w2, %b2 : (tensor<?x32x12x12xf32>, tensor<64x32x5x5xf32>, tensor<64xf32>) -> tensor<?x64x8x8xf32>
  %r2 = cpq.relu %c2 : tensor<?x64x8x8xf32>
  %p2 = cpq.maxpool2d %r2 {kernel = [2, 2]} : (tensor<?x64x8x8xf32>) -> tensor<?x64x4x4xf32>

  %f = cpq.flatten %p2 : (tensor<?x64x4x4xf32>) -> tensor<?x1024xf32>
  %w3 = cpq.param "fc1.weight" {init = "he_normal"} : tensor<512x1024xf32>
  %b3 = cpq.param "fc1.bias" {init = "zeros"} : tensor<512xf32>
  %d1 = cpq.dense %f, %w3, %b3 : (tensor<?x1024xf32>, tensor<512x1024xf32>, tensor<512xf32>) -> tensor<?x512xf32>
  %r3 = cpq.relu %d1 : tensor<?x512xf32>

  %w4 = cpq.param "fc2.weight" {init = "he_normal"} : tensor<10x512xf32>
  %b4 = cpq.param "fc2.bias" {init = "zeros"} : tensor<10xf32>
  %logits = cpq.dense %r3, %w4, %b4 : (tensor<?x512xf32>, tensor<10x512xf32>, tensor<10xf32>) -> tensor<?x10xf32>
  return %logits : tensor<?x10xf32>
}
