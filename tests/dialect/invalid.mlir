// Every verifier error of the cpq ops, with its message.
// RUN: cpq-opt %s -split-input-file -verify-diagnostics

// -----

func @case0() {
  // expected-error @+1 {{parameter "w" needs a static shape}}
  %w = cpq.param "w" {init = "zeros"} : tensor<?x3xf32>
  return
}

// -----

func @case1() {
  // expected-error @+1 {{parameter name must not be empty}}
  %w = cpq.param "" {init = "zeros"} : tensor<3xf32>
  return
}

// -----

func @case2() {
  // expected-error @+1 {{unknown init "gaussian"}}
  %w = cpq.param "w" {init = "gaussian"} : tensor<3x3xf32>
  return
}

// -----

func @case3() {
  // expected-error @+1 {{init = "constant" needs a value attribute}}
  %w = cpq.param "w" {init = "constant"} : tensor<3xf32>
  return
}

// -----

func @case4() {
  // expected-error @+1 {{a value is only allowed with init = "constant"}}
  %w = cpq.param "w" {init = "zeros", value = dense<1.0> : tensor<3xf32>} : tensor<3xf32>
  return
}

// -----

func @case5() {
  // expected-error @+1 {{value has type 'tensor<4xf32>' but the parameter is 'tensor<3xf32>'}}
  %w = cpq.param "w" {init = "constant", value = dense<1.0> : tensor<4xf32>} : tensor<3xf32>
  return
}

// -----

func @case6() {
  // expected-error @+1 {{init "he_normal" needs a weight of rank >= 2}}
  %w = cpq.param "w" {init = "he_normal"} : tensor<3xf32>
  return
}

// -----

func @case7() {
  %a = cpq.param "w" {init = "zeros"} : tensor<3xf32>
  // expected-error @+1 {{parameter name "w" is used twice in this function}}
  %b = cpq.param "w" {init = "ones"} : tensor<3xf32>
  return
}

// -----

func @case8(%x: tensor<?x3x8x8xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+1 {{input has 3 channels but the filter expects 2 per group x 1 groups = 2}}
  %y = cpq.conv2d %x, %w : (tensor<?x3x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<?x4x6x6xf32>
  return
}

// -----

func @case9(%x: tensor<?x3x8x8xf32>, %w: tensor<5x1x3x3xf32>) {
  // expected-error @+1 {{filter has 5 output channels, not divisible by groups = 3}}
  %y = cpq.conv2d %x, %w {groups = 3} : (tensor<?x3x8x8xf32>, tensor<5x1x3x3xf32>) -> tensor<?x5x6x6xf32>
  return
}

// -----

func @case10(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x9x3xf32>) {
  // expected-error @+1 {{window of 9 does not fit the height of the input, 8 plus padding 2 x 0}}
  %y = cpq.conv2d %x, %w : (tensor<?x3x8x8xf32>, tensor<4x3x9x3xf32>) -> tensor<?x4x1x6xf32>
  return
}

// -----

func @case11(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{stride must be at least 1, got [0, 1]}}
  %y = cpq.conv2d %x, %w {stride = [0, 1]} : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x6x6xf32>
  return
}

// -----

func @case12(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{padding must be a list of two integers [height, width]}}
  %y = cpq.conv2d %x, %w {padding = [1]} : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x6x6xf32>
  return
}

// -----

func @case13(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<5xf32>) {
  // expected-error @+1 {{bias has shape [5], expected [4]}}
  %y = cpq.conv2d %x, %w, %b : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<5xf32>) -> tensor<?x4x6x6xf32>
  return
}

// -----

func @case14(%x: tensor<?x3xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{input must have rank 4, got [?, 3]}}
  %y = cpq.conv2d %x, %w : (tensor<?x3xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x6x6xf32>
  return
}

// -----

func @case15(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{inferred type(s) 'tensor<?x4x6x6xf32>' are incompatible with return type(s) of operation 'tensor<?x4x8x8xf32>'}}
  %y = cpq.conv2d %x, %w : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x8x8xf32>
  return
}

// -----

func @case16(%x: tensor<?x3x8x8xf16>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{input must hold float32 values, got f16}}
  %y = cpq.conv2d %x, %w : (tensor<?x3x8x8xf16>, tensor<4x3x3x3xf32>) -> tensor<?x4x6x6xf32>
  return
}

// -----

func @case17(%x: tensor<?x12xf32>, %w: tensor<5x10xf32>) {
  // expected-error @+1 {{input has 12 features but the weight expects 10}}
  %y = cpq.dense %x, %w : (tensor<?x12xf32>, tensor<5x10xf32>) -> tensor<?x5xf32>
  return
}

// -----

func @case18(%x: tensor<?x12xf32>, %w: tensor<?x12xf32>) {
  // expected-error @+1 {{weight needs a static shape}}
  %y = cpq.dense %x, %w : (tensor<?x12xf32>, tensor<?x12xf32>) -> tensor<?x?xf32>
  return
}

// -----

func @case19(%x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{needs a kernel = [height, width] attribute}}
  %y = cpq.maxpool2d %x : (tensor<?x3x8x8xf32>) -> tensor<?x3x4x4xf32>
  return
}

// -----

func @case20(%x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{padding must be smaller than the kernel}}
  %y = cpq.avgpool2d %x {kernel = [2, 2], padding = [2, 2]} : (tensor<?x3x8x8xf32>) -> tensor<?x3x6x6xf32>
  return
}

// -----

func @case21(%x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{inferred type(s) 'tensor<?x3x4x4xf32>' are incompatible}}
  %y = cpq.maxpool2d %x {kernel = [2, 2]} : (tensor<?x3x8x8xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

func @case22(%x: tensor<?x3x8x8xf32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{gamma has 4 entries but the input has 3 channels}}
  %y = cpq.batch_norm %x, %s, %s, %s, %s : (tensor<?x3x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

func @case23(%x: tensor<?x3x8xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{input must be NC or NCHW, got [?, 3, 8]}}
  %y = cpq.batch_norm %x, %s, %s, %s, %s : (tensor<?x3x8xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x3x8xf32>
  return
}

// -----

func @case24(%x: tensor<?x3x8x8xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{momentum must be in [0, 1], got 2}}
  %y = cpq.batch_norm %x, %s, %s, %s, %s {momentum = 2.0} : (tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

func @case25(%x: tensor<?xf32>) {
  // expected-error @+1 {{input needs a batch axis and at least one more, got [?]}}
  %y = cpq.flatten %x : (tensor<?xf32>) -> tensor<?x1xf32>
  return
}

// -----

func @case26(%a: tensor<?x3x8x8xf32>, %b: tensor<?x3x4x4xf32>) {
  // expected-error @+1 {{requires the same type for all operands and results}}
  %y = "cpq.add"(%a, %b) : (tensor<?x3x8x8xf32>, tensor<?x3x4x4xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

func @case27(%x: tensor<8x10xf32>, %y: tensor<4xi32>) {
  // expected-error @+1 {{logits have 8 rows but there are 4 labels}}
  %l, %c = cpq.softmax_cross_entropy %x, %y : (tensor<8x10xf32>, tensor<4xi32>) -> (tensor<f32>, tensor<i32>)
  return
}

// -----

func @case28(%x: tensor<?x?xf32>, %y: tensor<?xi32>) {
  // expected-error @+1 {{the number of classes (logits axis 1) must be static}}
  %l, %c = cpq.softmax_cross_entropy %x, %y : (tensor<?x?xf32>, tensor<?xi32>) -> (tensor<f32>, tensor<i32>)
  return
}

// -----

func @case29(%w: tensor<4x3x3x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{bits must be in 1..8, got 9}}
  %q = cpq.quantize %w, %a, %a {grid = "signed", bits = 9} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @case30(%w: tensor<4x3x3x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{bits must be in 1..8, got 0}}
  %q = cpq.quantize %w, %a, %a {grid = "signed", bits = 0} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @case31(%w: tensor<4x3x3x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{grid must be "signed", "unsigned" or "symmetric", got "ternary"}}
  %q = cpq.quantize %w, %a, %a {grid = "ternary", bits = 2} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @case32(%w: tensor<4x3x3x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{DropBits need nested sub-grids; the symmetric grid has none}}
  %q = cpq.quantize %w, %a, %a {grid = "symmetric", bits = 2, dropbits_p = 0.3} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @case33(%w: tensor<4x3x3x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{learned gates need nested sub-grids; the symmetric grid has none}}
  %q = cpq.quantize %w, %a, %a, %a {grid = "symmetric", bits = 2} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @case34(%w: tensor<4x3x3x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{DropBits need at least 2 bits: a 1-bit grid has no level to drop}}
  %q = cpq.quantize %w, %a, %a {grid = "signed", bits = 1, dropbits_p = 0.3} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @case35(%w: tensor<4x3x3x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{dropbits_p must be in [0, 1), got 1}}
  %q = cpq.quantize %w, %a, %a {grid = "signed", bits = 2, dropbits_p = 1.0} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @case36(%w: tensor<4x3x3x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{dropbits must be "hierarchical" or "independent", got "random"}}
  %q = cpq.quantize %w, %a, %a {grid = "signed", bits = 2, dropbits = "random", dropbits_p = 0.5} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @case37(%w: tensor<4x3x3x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{gate_lambda must be non-negative, got -1}}
  %q = cpq.quantize %w, %a, %a {grid = "signed", bits = 2, gate_lambda = -1.0} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @case38(%w: tensor<4x3x3x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{alpha has 1 entries but axis 0 of the input has 4 channels}}
  %q = cpq.quantize %w, %a, %a {grid = "signed", bits = 2, axis = 0} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @case39(%w: tensor<4x3x3x3xf32>, %a: tensor<4xf32>) {
  // expected-error @+1 {{alpha has 4 entries; a per-tensor quantizer takes one (set axis for per-channel)}}
  %q = cpq.quantize %w, %a, %a {grid = "signed", bits = 2} : (tensor<4x3x3x3xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @case40(%w: tensor<4x3x3x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{axis 4 is outside the input's rank 4}}
  %q = cpq.quantize %w, %a, %a {grid = "signed", bits = 2, axis = 4} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @case41(%x: tensor<?x3x8x8xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{per-channel axis 0 has a dynamic size; quantize per tensor}}
  %q = cpq.quantize %x, %a, %a {grid = "unsigned", bits = 2, axis = 0} : (tensor<?x3x8x8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

func @case42(%w: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{sigma has shape [4] but alpha has [1]}}
  %q = cpq.quantize %w, %a, %s {grid = "signed", bits = 2} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<4xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @case43(%w: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %g: tensor<2xf32>) {
  // expected-error @+1 {{gate_logits has 2 entries; a 4-bit quantizer has one per level 2..4, 3}}
  %q = cpq.quantize %w, %a, %a, %g {grid = "signed", bits = 4} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, tensor<2xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @case44(%w: tensor<4x3x3x3xf32>, %a: tensor<1x1xf32>) {
  // expected-error @+1 {{alpha must have rank 1, got [1, 1]}}
  %q = cpq.quantize %w, %a, %a {grid = "signed", bits = 2} : (tensor<4x3x3x3xf32>, tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @case45(%w: tensor<4x3x3x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{needs a bits attribute (1..8)}}
  %q = cpq.quantize %w, %a, %a {grid = "signed"} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @case46(%w: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %s: i64) {
  // expected-error @+1 {{tensor_id must be a non-negative integer}}
  %q = cpq.quantize_train %w, %a, %a, %s, %s {grid = "signed", bits = 2, tensor_id = -1} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @case47(%w: tensor<4x3x3x3xf32>, %a: tensor<1xf32>, %dy: tensor<4x3x3x1xf32>, %s: i64) {
  // expected-error @+1 {{output_grad has shape [4, 3, 3, 1], expected [4, 3, 3, 3]}}
  %d:3 = cpq.quantize_grad %dy, %w, %a, %a, %s, %s {grid = "signed", bits = 2, tensor_id = 0} : (tensor<4x3x3x1xf32>, tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>, i64, i64) -> (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>)
  return
}

// -----

func @case48(%dy: tensor<?x4x8x8xf32>, %x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{output_grad has shape [?, 4, 8, 8], expected [?, 4, 6, 6]}}
  %d = cpq.conv2d_grad_input %dy, %x, %w : (tensor<?x4x8x8xf32>, tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

func @case49(%dy: tensor<?x7xf32>, %w: tensor<5x12xf32>) {
  // expected-error @+1 {{output_grad has 7 features but the weight has 5 outputs}}
  %d = cpq.dense_grad_input %dy, %w : (tensor<?x7xf32>, tensor<5x12xf32>) -> tensor<?x12xf32>
  return
}

// -----

func @case50(%dy: tensor<3x5xf32>, %x: tensor<4x12xf32>) {
  // expected-error @+1 {{output_grad has 3 rows but the input has 4}}
  %d = cpq.dense_grad_weight %dy, %x : (tensor<3x5xf32>, tensor<4x12xf32>) -> tensor<5x12xf32>
  return
}

// -----

func @case51(%dy: tensor<?xf32>) {
  // expected-error @+1 {{output_grad needs a channel axis 1, got [?]}}
  %d = cpq.bias_grad %dy : (tensor<?xf32>) -> tensor<?xf32>
  return
}

// -----

func @case52(%dy: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{output_grad has shape [?, 3, 8, 8], expected [?, 3, 4, 4]}}
  %d = cpq.maxpool2d_grad %dy, %dy {kernel = [2, 2]} : (tensor<?x3x8x8xf32>, tensor<?x3x8x8xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

func @case53(%s: tensor<4xf32>, %lr: f32) {
  // expected-error @+1 {{momentum must be in [0, 1), got 1}}
  %p:2 = cpq.sgd_update %s, %s, %s, %lr {momentum = 1.0} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, f32) -> (tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func @case54(%s: tensor<4xf32>, %g: tensor<5xf32>, %lr: f32) {
  // expected-error @+1 {{grad has shape [5], expected [4]}}
  %p:2 = cpq.sgd_update %s, %g, %s, %lr : (tensor<4xf32>, tensor<5xf32>, tensor<4xf32>, f32) -> (tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func @case55(%s: tensor<4xf32>, %lr: f32, %t: i64) {
  // expected-error @+1 {{beta1 and beta2 must be in [0, 1), got 0.9 and 1}}
  %p:3 = cpq.adam_update %s, %s, %s, %s, %lr, %t {beta2 = 1.0} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, f32, i64) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func @case56(%s: tensor<4xf32>, %lr: f32, %t: i64) {
  // expected-error @+1 {{epsilon must be positive, got 0}}
  %p:3 = cpq.adam_update %s, %s, %s, %s, %lr, %t {epsilon = 0.0} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, f32, i64) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func @case57(%x: tensor<?x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{8-bit symmetric levels (odd integers up to 255) do not fit in si8 codes}}
  %q = cpq.encode %x, %a {grid = "symmetric", bits = 8} : (tensor<?x3xf32>, tensor<1xf32>) -> tensor<?x3xsi8>
  return
}

// -----

func @case58(%x: tensor<?x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{inferred type(s) 'tensor<?x3xui8>' are incompatible with return type(s) of operation 'tensor<?x3xsi8>'}}
  %q = cpq.encode %x, %a {grid = "unsigned", bits = 4} : (tensor<?x3xf32>, tensor<1xf32>) -> tensor<?x3xsi8>
  return
}

// -----

func @case59(%x: tensor<?x3xf32>, %a: tensor<3xf32>) {
  // expected-error @+1 {{alpha must have one entry (activations are quantized per tensor)}}
  %q = cpq.encode %x, %a {grid = "unsigned", bits = 4} : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xui8>
  return
}

// -----

func @case60(%w: tensor<4x3x3x3xf32>, %a: tensor<3xf32>) {
  // expected-error @+1 {{alpha has 3 entries; expected 1 or one per output channel (4)}}
  %p = cpq.pack %w, %a {grid = "signed", bits = 2} : (tensor<4x3x3x3xf32>, tensor<3xf32>) -> tensor<4x7xui8>
  return
}

// -----

func @case61(%x: tensor<?x3x8x8xui8>, %p: tensor<4x6xui8>) {
  // expected-error @+1 {{packed_filter rows have 6 bytes; 27 codes of 2 bits take 7}}
  %y = cpq.qconv2d %x, %p {grid = "signed", bits = 2, kernel = [3, 3]} : (tensor<?x3x8x8xui8>, tensor<4x6xui8>) -> tensor<?x4x6x6xi32>
  return
}

// -----

func @case62(%x: tensor<?x3x8x8xf32>, %p: tensor<4x7xui8>) {
  // expected-error @+1 {{operand #0 must be ranked tensor of 8-bit unsigned integer or 8-bit signed integer values}}
  %y = cpq.qconv2d %x, %p {grid = "signed", bits = 2, kernel = [3, 3]} : (tensor<?x3x8x8xf32>, tensor<4x7xui8>) -> tensor<?x4x6x6xi32>
  return
}

// -----

func @case63(%x: tensor<?x12xui8>, %p: tensor<5x3xui8>) {
  // expected-error @+1 {{packed_weight rows have 3 bytes; 12 codes of 4 bits take 6}}
  %y = cpq.qdense %x, %p {grid = "signed", bits = 4} : (tensor<?x12xui8>, tensor<5x3xui8>) -> tensor<?x5xi32>
  return
}

// -----

func @case64(%acc: tensor<?x4xi32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{scale has 3 entries but the input has 4 channels}}
  %y = cpq.requantize %acc, %s, %s : (tensor<?x4xi32>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x4xf32>
  return
}

// -----

func @case65(%acc: tensor<?x4xi32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{grid and bits describe the next quantizer and need its next_alpha operand}}
  %y = cpq.requantize %acc, %s, %s {grid = "unsigned", bits = 2} : (tensor<?x4xi32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  return
}

// -----

func @case66(%acc: tensor<?x4xi32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{next_alpha must have one entry}}
  %y = cpq.requantize %acc, %s, %s, %s {grid = "unsigned", bits = 2} : (tensor<?x4xi32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4xui8>
  return
}

// -----

func @case67(%q: tensor<?x4xsi8>, %a: tensor<1xf32>) {
  // expected-error @+1 {{codes are si8 but levels of the unsigned grid are ui8}}
  %y = cpq.decode %q, %a {grid = "unsigned", bits = 2} : (tensor<?x4xsi8>, tensor<1xf32>) -> tensor<?x4xf32>
  return
}

// -----

func @case68(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{groups must be at least 1, got 0}}
  %y = cpq.conv2d %x, %w {groups = 0} : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x6x6xf32>
  return
}

// -----

func @case69(%x: tensor<?x3x8x8xf32>, %w: tensor<?x3x3x3xf32>) {
  // expected-error @+1 {{filter needs a static shape}}
  %y = cpq.conv2d %x, %w : (tensor<?x3x8x8xf32>, tensor<?x3x3x3xf32>) -> tensor<?x?x6x6xf32>
  return
}

// -----

func @case70(%x: tensor<*xf32>) {
  // expected-error @+1 {{input must be a ranked tensor}}
  %y = "cpq.relu"(%x) : (tensor<*xf32>) -> tensor<*xf32>
  return
}

// -----

func @case71(%x: tensor<?x3x8x8xf32>, %s: tensor<3xf32>) {
  // expected-error @+1 {{epsilon must be positive}}
  %y = cpq.batch_norm %x, %s, %s, %s, %s {epsilon = 0.0} : (tensor<?x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x3x8x8xf32>
  return
}

// -----

func @case72(%w: tensor<4x3x3x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{needs a grid attribute ("signed", "unsigned" or "symmetric")}}
  %q = cpq.quantize %w, %a, %a {bits = 2} : (tensor<4x3x3x3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<4x3x3x3xf32>
  return
}

// -----

func @case73(%dy: tensor<?x4x6x6xf32>, %x: tensor<?x3x8x8xf32>, %w: tensor<?x3x3x3xf32>) {
  // expected-error @+1 {{filter needs a static shape}}
  %d = cpq.conv2d_grad_filter %dy, %x, %w : (tensor<?x4x6x6xf32>, tensor<?x3x8x8xf32>, tensor<?x3x3x3xf32>) -> tensor<?x3x3x3xf32>
  return
}

// -----

func @case74(%dy: tensor<?x5xf32>, %x: tensor<?x?xf32>) {
  // expected-error @+1 {{the weight gradient needs static feature sizes}}
  %d = cpq.dense_grad_weight %dy, %x : (tensor<?x5xf32>, tensor<?x?xf32>) -> tensor<5x?xf32>
  return
}

// -----

func @case75(%s: tensor<4xf32>, %lr: f32) {
  // expected-error @+1 {{weight_decay must be non-negative, got -0.1}}
  %p:2 = cpq.sgd_update %s, %s, %s, %lr {weight_decay = -0.1} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, f32) -> (tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func @case76(%s: tensor<4xf32>, %lr: f32, %t: i64) {
  // expected-error @+1 {{weight_decay must be non-negative, got -1}}
  %p:3 = cpq.adam_update %s, %s, %s, %s, %lr, %t {weight_decay = -1.0} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, f32, i64) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func @case77(%w: tensor<?x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{weight needs a static shape}}
  %p = cpq.pack %w, %a {grid = "signed", bits = 2} : (tensor<?x3xf32>, tensor<1xf32>) -> tensor<?x1xui8>
  return
}

// -----

func @case78(%x: tensor<?x3x8x8xui8>, %p: tensor<4x7xui8>) {
  // expected-error @+1 {{needs a kernel = [height, width] attribute}}
  %y = cpq.qconv2d %x, %p {grid = "signed", bits = 2} : (tensor<?x3x8x8xui8>, tensor<4x7xui8>) -> tensor<?x4x6x6xi32>
  return
}

// -----

func @case79(%x: tensor<?x?x8x8xui8>, %p: tensor<4x7xui8>) {
  // expected-error @+1 {{input channels must be static}}
  %y = cpq.qconv2d %x, %p {grid = "signed", bits = 2, kernel = [3, 3]} : (tensor<?x?x8x8xui8>, tensor<4x7xui8>) -> tensor<?x4x6x6xi32>
  return
}

// -----

func @case80(%x: tensor<?x3x8x8xui8>, %p: tensor<4x7xui8>) {
  // expected-error @+1 {{input has 3 channels, not divisible by groups = 2}}
  %y = cpq.qconv2d %x, %p {grid = "signed", bits = 2, kernel = [3, 3], groups = 2} : (tensor<?x3x8x8xui8>, tensor<4x7xui8>) -> tensor<?x4x6x6xi32>
  return
}

// -----

func @case81(%x: tensor<?x?xui8>, %p: tensor<5x3xui8>) {
  // expected-error @+1 {{input features must be static}}
  %y = cpq.qdense %x, %p {grid = "signed", bits = 4} : (tensor<?x?xui8>, tensor<5x3xui8>) -> tensor<?x5xi32>
  return
}

// -----

func @case82(%acc: tensor<?xi32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{input needs a channel axis 1, got [?]}}
  %y = cpq.requantize %acc, %s, %s : (tensor<?xi32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?xf32>
  return
}

// -----

func @case_relative_sgd(%s: tensor<4xf32>, %lr: f32) {
  // expected-error @+1 {{relative steps take no weight_decay}}
  %p:2 = cpq.sgd_update %s, %s, %s, %lr {relative, weight_decay = 0.1} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, f32) -> (tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func @case_relative_adam(%s: tensor<4xf32>, %lr: f32, %t: i64) {
  // expected-error @+1 {{relative steps take no weight_decay}}
  %p:3 = cpq.adam_update %s, %s, %s, %s, %lr, %t {relative, weight_decay = 0.1} : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, f32, i64) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
  return
}

// -----

func @case_sparse() {
  // expected-error @+1 {{value must be a dense elements attribute}}
  %w = cpq.param "w" {init = "constant", value = sparse<[[0]], [1.0]> : tensor<3xf32>} : tensor<3xf32>
  return
}
