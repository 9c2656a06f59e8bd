// Every cpq op parses, verifies, prints, and parses again to the same text.

func @params() -> (tensor<32x1x5x5xf32>, tensor<1xf32>, tensor<64xf32>, tensor<2x2xf32>) {
  %w = cpq.param "conv1.weight" {init = "he_normal"} : tensor<32x1x5x5xf32>
  %a = cpq.param "conv1.alpha" {init = "constant", value = dense<0.05> : tensor<1xf32>} : tensor<1xf32>
  %m = cpq.param "bn.mean" {init = "zeros", trainable = false} : tensor<64xf32>
  %t = cpq.param "trained" {init = "constant", value = dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>} : tensor<2x2xf32>
  return %w, %a, %m, %t : tensor<32x1x5x5xf32>, tensor<1xf32>, tensor<64xf32>, tensor<2x2xf32>
}

func @layers(%x: tensor<?x3x32x32xf32>, %w: tensor<16x3x3x3xf32>, %b: tensor<16xf32>, %dw: tensor<16x1x3x3xf32>,
             %s: tensor<16xf32>, %fc: tensor<10x1024xf32>, %labels: tensor<?xi32>) -> (tensor<f32>, tensor<i32>) {
  %c = cpq.conv2d %x, %w, %b {padding = [1, 1]} : (tensor<?x3x32x32xf32>, tensor<16x3x3x3xf32>, tensor<16xf32>) -> tensor<?x16x32x32xf32>
  %g = cpq.conv2d %c, %dw {stride = [2, 2], groups = 16} : (tensor<?x16x32x32xf32>, tensor<16x1x3x3xf32>) -> tensor<?x16x15x15xf32>
  %n = cpq.batch_norm %c, %s, %s, %s, %s {epsilon = 1.0e-3} : (tensor<?x16x32x32xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<?x16x32x32xf32>
  %r = cpq.relu %n : tensor<?x16x32x32xf32>
  %sum = cpq.add %r, %c : tensor<?x16x32x32xf32>
  %p = cpq.maxpool2d %sum {kernel = [2, 2]} : (tensor<?x16x32x32xf32>) -> tensor<?x16x16x16xf32>
  %ap = cpq.avgpool2d %p {kernel = [3, 3], stride = [2, 2], padding = [1, 1]} : (tensor<?x16x16x16xf32>) -> tensor<?x16x8x8xf32>
  %f = cpq.flatten %ap : (tensor<?x16x8x8xf32>) -> tensor<?x1024xf32>
  %logits = cpq.dense %f, %fc : (tensor<?x1024xf32>, tensor<10x1024xf32>) -> tensor<?x10xf32>
  %loss, %correct = cpq.softmax_cross_entropy %logits, %labels : (tensor<?x10xf32>, tensor<?xi32>) -> (tensor<f32>, tensor<i32>)
  return %loss, %correct : tensor<f32>, tensor<i32>
}

func @quantizers(%w: tensor<16x3x3x3xf32>, %a16: tensor<16xf32>, %a1: tensor<1xf32>, %gates: tensor<3xf32>,
                 %x: tensor<?x16x8x8xf32>) -> (tensor<16x3x3x3xf32>, tensor<16x3x3x3xf32>, tensor<?x16x8x8xf32>, tensor<16x3x3x3xf32>) {
  %q = cpq.quantize %w, %a16, %a16 {grid = "signed", bits = 2, axis = 0, dropbits_p = 0.25} : (tensor<16x3x3x3xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<16x3x3x3xf32>
  %g = cpq.quantize %w, %a1, %a1, %gates {grid = "signed", bits = 4, gate_lambda = 1.0e-6} : (tensor<16x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, tensor<3xf32>) -> tensor<16x3x3x3xf32>
  %u = cpq.quantize %x, %a1, %a1 {grid = "unsigned", bits = 3, dropbits = "independent", dropbits_p = 0.5} : (tensor<?x16x8x8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x16x8x8xf32>
  %s = cpq.quantize %w, %a1, %a1 {grid = "symmetric", bits = 1} : (tensor<16x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<16x3x3x3xf32>
  return %q, %g, %u, %s : tensor<16x3x3x3xf32>, tensor<16x3x3x3xf32>, tensor<?x16x8x8xf32>, tensor<16x3x3x3xf32>
}

func @training_ops(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %dy: tensor<?x4x8x8xf32>, %a: tensor<1xf32>,
                   %gates: tensor<1xf32>, %seed: i64, %step: i64, %lr: f32, %s: tensor<4xf32>, %fx: tensor<?x12xf32>,
                   %fw: tensor<5x12xf32>, %fdy: tensor<?x5xf32>, %labels: tensor<?xi32>, %pdy: tensor<?x4x4x4xf32>) {
  %wq = cpq.quantize_train %w, %a, %a, %seed, %step, %gates {grid = "signed", bits = 2, tensor_id = 3} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64, tensor<1xf32>) -> tensor<4x3x3x3xf32>
  %dw:4 = cpq.quantize_grad %w, %w, %a, %a, %seed, %step, %gates {grid = "signed", bits = 2, tensor_id = 3} : (tensor<4x3x3x3xf32>, tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64, tensor<1xf32>) -> (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>)
  %dw3:3 = cpq.quantize_grad %w, %w, %a, %a, %seed, %step {grid = "signed", bits = 2, dropbits_p = 0.2, tensor_id = 3} : (tensor<4x3x3x3xf32>, tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64) -> (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>)
  %r = cpq.relu_grad %dy, %dy : (tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32>
  %dx = cpq.conv2d_grad_input %dy, %x, %w {padding = [1, 1]} : (tensor<?x4x8x8xf32>, tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x3x8x8xf32>
  %dwc = cpq.conv2d_grad_filter %dy, %x, %w {padding = [1, 1]} : (tensor<?x4x8x8xf32>, tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<4x3x3x3xf32>
  %db = cpq.bias_grad %dy : (tensor<?x4x8x8xf32>) -> tensor<4xf32>
  %dfx = cpq.dense_grad_input %fdy, %fw : (tensor<?x5xf32>, tensor<5x12xf32>) -> tensor<?x12xf32>
  %dfw = cpq.dense_grad_weight %fdy, %fx : (tensor<?x5xf32>, tensor<?x12xf32>) -> tensor<5x12xf32>
  %dmp = cpq.maxpool2d_grad %pdy, %dy {kernel = [2, 2]} : (tensor<?x4x4x4xf32>, tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32>
  %dap = cpq.avgpool2d_grad %pdy, %dy {kernel = [2, 2]} : (tensor<?x4x4x4xf32>, tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32>
  %bn:5 = cpq.batch_norm_train %dy, %s, %s, %s, %s {momentum = 0.05} : (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
  %bng:3 = cpq.batch_norm_grad %dy, %dy, %s, %bn#1, %bn#2 : (tensor<?x4x8x8xf32>, tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> (tensor<?x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>)
  %flat = cpq.flatten %dmp : (tensor<?x4x8x8xf32>) -> tensor<?x256xf32>
  %df4 = cpq.flatten_grad %flat, %dmp : (tensor<?x256xf32>, tensor<?x4x8x8xf32>) -> tensor<?x4x8x8xf32>
  %dl = cpq.softmax_cross_entropy_grad %fdy, %labels : (tensor<?x5xf32>, tensor<?xi32>) -> tensor<?x5xf32>
  %hl = cpq.softmax_cross_entropy_hessian %fdy : tensor<?x5xf32>
  %sq = cpq.square %s : tensor<4xf32>
  %sgd:2 = cpq.sgd_update %s, %s, %s, %lr {momentum = 0.9, weight_decay = 5.0e-4, nesterov} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, f32) -> (tensor<4xf32>, tensor<4xf32>)
  %adam:3 = cpq.adam_update %s, %s, %s, %s, %lr, %step : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, f32, i64) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
  return
}

func @inference_ops(%x: tensor<?x1x28x28xf32>, %a: tensor<1xf32>, %w: tensor<32x1x5x5xf32>, %a32: tensor<32xf32>,
                    %fc: tensor<10x6272xf32>, %s32: tensor<32xf32>, %s10: tensor<10xf32>) -> tensor<?x10xf32> {
  %q = cpq.encode %x, %a {grid = "unsigned", bits = 8} : (tensor<?x1x28x28xf32>, tensor<1xf32>) -> tensor<?x1x28x28xui8>
  %p = cpq.pack %w, %a32 {grid = "signed", bits = 2} : (tensor<32x1x5x5xf32>, tensor<32xf32>) -> tensor<32x7xui8>
  %acc = cpq.qconv2d %q, %p {grid = "signed", bits = 2, kernel = [5, 5], padding = [2, 2]} : (tensor<?x1x28x28xui8>, tensor<32x7xui8>) -> tensor<?x32x28x28xi32>
  %r = cpq.requantize %acc, %s32, %s32, %a {relu, grid = "unsigned", bits = 2} : (tensor<?x32x28x28xi32>, tensor<32xf32>, tensor<32xf32>, tensor<1xf32>) -> tensor<?x32x28x28xui8>
  %mp = cpq.maxpool2d %r {kernel = [2, 2]} : (tensor<?x32x28x28xui8>) -> tensor<?x32x14x14xui8>
  %f = cpq.flatten %mp : (tensor<?x32x14x14xui8>) -> tensor<?x6272xui8>
  %pf = cpq.pack %fc, %a {grid = "signed", bits = 4} : (tensor<10x6272xf32>, tensor<1xf32>) -> tensor<10x3136xui8>
  %accf = cpq.qdense %f, %pf {grid = "signed", bits = 4} : (tensor<?x6272xui8>, tensor<10x3136xui8>) -> tensor<?x10xi32>
  %dq = cpq.decode %f, %a {grid = "unsigned", bits = 2} : (tensor<?x6272xui8>, tensor<1xf32>) -> tensor<?x6272xf32>
  %logits = cpq.requantize %accf, %s10, %s10 : (tensor<?x10xi32>, tensor<10xf32>, tensor<10xf32>) -> tensor<?x10xf32>
  return %logits : tensor<?x10xf32>
}
