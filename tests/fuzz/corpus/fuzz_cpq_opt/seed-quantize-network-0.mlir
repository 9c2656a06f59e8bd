// --cpq-quantize-network: options and errors.

// One weight used by two layers gets one quantizer.
func @net(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %w = cpq.param "w" {init = "he_normal"} : tensor<4x4xf32>
  %h = cpq.dense %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %r = cpq.relu %h : tensor<?x4xf32>
  %y = cpq.dense %r, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}
// The activation grid spans [0, 1] by default: alpha = 1 / 15 at 4 bits.

// 1-bit grids take neither DropBits nor gates; the input is quantized at 8
// bits with fixed parameters.
// W1-LABEL: func @net
// W1: cpq.param "input.alpha" {init = "constant", trainable = false, value = dense<0.00392156886> : tensor<1xf32>}
// W1: cpq.quantize %arg0, {{.*}} {bits = 8 : i64, grid = "unsigned"}
// W1: cpq.quantize {{.*}} {axis = 0 : i64, bits = 1 : i64, grid = "signed"}
// W1-NOT: cpq.quantize

// BITS: error: cpq-quantize-network: weight-bits must be in 0..8 (0: float32), got 9
// MODE: error: cpq-quantize-network: dropbits must be hierarchical or independent, got random

// activation-range sets the span of the activation grids: [0, 4] at 2 bits.
// RANGE-LABEL: func @net
// RANGE: cpq.param "act1.alpha" {init = "constant", value = dense<1.33333337> : tensor<1xf32>}
// BADRANGE: activation-range must be a positive number, got 0

// Binary weights: the symmetric grid, alpha = Max's 1-bit step 1.596 x
// sqrt(2 / fan_in) = 1.596 x sqrt(1/2) (levels +-alpha/2 = +-0.798 sigma).
// SYM-LABEL: func @net
// SYM: cpq.param "w.alpha" {init = "constant", value = dense<1.128{{[0-9]*}}> : tensor<4xf32>}
// SYM: cpq.quantize {{.*}} {axis = 0 : i64, bits = 1 : i64, grid = "symmetric"}
// SYM: cpq.quantize {{.*}} {bits = 1 : i64, grid = "unsigned"}
// BADGRID: weight-grid must be signed or symmetric, got ternary
// SYMDROP: DropBits and learned bit-widths need nested sub-grids; the symmetric weight grid has none

// tensor-bits: single tensors at other bits, each grid's first step from
// its own bits (Max's 3-bit step 0.586 x sqrt(2/4); 1/63 at 6 bits).
// MIXED-LABEL: func @net
// MIXED: cpq.param "w.alpha" {init = "constant", value = dense<0.414{{[0-9]*}}> : tensor<4xf32>}
// MIXED: cpq.quantize {{.*}} {axis = 0 : i64, bits = 3 : i64, grid = "signed"}
// MIXED: cpq.param "act1.alpha" {init = "constant", value = dense<0.0158{{[0-9]*}}> : tensor<1xf32>}
// MIXED: cpq.quantize {{.*}} {bits = 6 : i64, grid = "unsigned"}
// NONAME: error: cpq-quantize-network: tensor-bits names 'w2', which is no quantized weight or activation of the network
// BADENTRY: error: cpq-quantize-network: tensor-bits entries are name:bits with bits in 1..8, got 'w:0'
// BADENTRY2: error: cpq-quantize-network: tensor-bits entries are name:bits with bits in 1..8, got 'w'
// GATEINIT: cpq.param "w.gates" {init = "constant", value = dense<6.000000e+00> : tensor<2xf32>}
// BADGATEINIT: gate-init must be in (0, 20] (an open gate), got 0
