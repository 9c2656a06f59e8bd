// --cpq-assign-bitwidths: the bit-width the deterministic gates chose, on the
// same grid points (alpha scaled by 2^(b - l)).
// RUN: cpq-opt %s -split-input-file --cpq-assign-bitwidths="report=true" -verify-diagnostics | FileCheck %s

// Gates of levels 2 and 3 open (S(3) * 1.2 - 0.1 > 0.5), level 4 closed: 3 bits.
func @three_of_four(%x: tensor<8xf32>) -> tensor<8xf32> {
  %a = cpq.param "a" {init = "constant", value = dense<[0.25]> : tensor<1xf32>} : tensor<1xf32>
  %s = cpq.param "s" {init = "constant", value = dense<[0.0625]> : tensor<1xf32>} : tensor<1xf32>
  %g = cpq.param "g" {init = "constant", value = dense<[3.0, 3.0, -3.0]> : tensor<3xf32>} : tensor<3xf32>
  // expected-remark @+1 {{learned bit-width 3 of 4 (deterministic gates 1.000 1.000 0.000)}}
  %q = cpq.quantize %x, %a, %s, %g {grid = "signed", bits = 4, dropbits_p = 0.25, gate_lambda = 0.01} : (tensor<8xf32>, tensor<1xf32>, tensor<1xf32>, tensor<3xf32>) -> tensor<8xf32>
  return %q : tensor<8xf32>
}
// CHECK-LABEL: func @three_of_four
// CHECK: %[[A:.*]] = cpq.param "a@3bit" {init = "constant", value = dense<5.000000e-01> : tensor<1xf32>}
// CHECK: %[[S:.*]] = cpq.param "s@3bit" {init = "constant", value = dense<1.250000e-01> : tensor<1xf32>}
// CHECK: %[[Q:.*]] = cpq.quantize %arg0, %[[A]], %[[S]] {bits = 3 : i64, dropbits_p = 2.500000e-01 : f64, grid = "signed"} : (tensor<8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<8xf32>
// CHECK: return %[[Q]]

// -----

// Level 2 closed: 1 bit, and DropBits has nothing left to drop.
func @one_bit(%x: tensor<8xf32>) -> tensor<8xf32> {
  %a = cpq.param "a" {init = "constant", value = dense<[0.25]> : tensor<1xf32>} : tensor<1xf32>
  %g = cpq.param "g" {init = "constant", value = dense<[-3.0]> : tensor<1xf32>} : tensor<1xf32>
  // expected-remark @+1 {{learned bit-width 1 of 2}}
  %q = cpq.quantize %x, %a, %a, %g {grid = "unsigned", bits = 2, dropbits_p = 0.25} : (tensor<8xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<8xf32>
  return %q : tensor<8xf32>
}
// CHECK-LABEL: func @one_bit
// CHECK: cpq.quantize %arg0, %{{.*}}, %{{.*}} {bits = 1 : i64, grid = "unsigned"}

// -----

// All gates open: the full bit-width and the same parameters.
func @all_open(%x: tensor<8xf32>) -> tensor<8xf32> {
  %a = cpq.param "a" {init = "constant", value = dense<[0.25]> : tensor<1xf32>} : tensor<1xf32>
  %g = cpq.param "g" {init = "constant", value = dense<[3.0, 3.0]> : tensor<2xf32>} : tensor<2xf32>
  // expected-remark @+1 {{learned bit-width 3 of 3}}
  %q = cpq.quantize %x, %a, %a, %g {grid = "signed", bits = 3} : (tensor<8xf32>, tensor<1xf32>, tensor<1xf32>, tensor<2xf32>) -> tensor<8xf32>
  return %q : tensor<8xf32>
}
// CHECK-LABEL: func @all_open
// CHECK: %[[A:.*]] = cpq.param "a"
// CHECK-NOT: cpq.param
// CHECK: cpq.quantize %arg0, %[[A]], %[[A]] {bits = 3 : i64, grid = "signed"}

// -----

// Gates without trained values cannot be read.
func @unbound(%x: tensor<8xf32>) -> tensor<8xf32> {
  %a = cpq.param "a" {init = "constant", value = dense<[0.25]> : tensor<1xf32>} : tensor<1xf32>
  %g = cpq.param "g" {init = "zeros"} : tensor<2xf32>
  // expected-error @+1 {{gate_logits must be a cpq.param with trained values; bind them with --cpq-bind-params=file=<parameters.safetensors>}}
  %q = cpq.quantize %x, %a, %a, %g {grid = "signed", bits = 3} : (tensor<8xf32>, tensor<1xf32>, tensor<1xf32>, tensor<2xf32>) -> tensor<8xf32>
  return %q : tensor<8xf32>
}
