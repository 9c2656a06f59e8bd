// --cpq-expand-training on small networks: the exact gradient graph, the
// optimizers, and its errors.
// RUN: cpq-opt %s -split-input-file --cpq-expand-training -verify-diagnostics | FileCheck %s
// RUN: cpq-opt %s -split-input-file --cpq-expand-training="optimizer=sgd momentum=0.8 nesterov=true weight-decay=0.01" -verify-diagnostics | FileCheck %s --check-prefix=SGD
// RUN: cpq-opt %s -split-input-file --cpq-expand-training="scale-floor=0 sigma-floor=0" -verify-diagnostics | FileCheck %s --check-prefix=NOFLOOR
// RUN: cpq-opt %s -split-input-file --cpq-expand-training="sigma-floor=0.5" -verify-diagnostics | FileCheck %s --check-prefix=SIGMA
// RUN: cpq-opt %s -split-input-file --cpq-expand-training="scale-floor=0.75 sigma-floor=0.5" -verify-diagnostics | FileCheck %s --check-prefix=LARGER
// RUN: not cpq-opt %s --cpq-expand-training="sigma-floor=-1" 2>&1 | FileCheck %s --check-prefix=BADSIGMA
// RUN: not cpq-opt %s --cpq-expand-training="scale-floor=nan" 2>&1 | FileCheck %s --check-prefix=BADSCALE
// RUN: cpq-opt %s -split-input-file --cpq-expand-training="scale-step=relative" -verify-diagnostics | FileCheck %s --check-prefix=RELATIVE
// RUN: cpq-opt %s -split-input-file --cpq-expand-training="optimizer=sgd scale-step=relative" -verify-diagnostics | FileCheck %s --check-prefix=RELSGD
// RUN: not cpq-opt %s --cpq-expand-training="scale-step=log" 2>&1 | FileCheck %s --check-prefix=BADSTEP
// RUN: cpq-opt %s -split-input-file --cpq-expand-training="gate-lr-scale=30" -verify-diagnostics | FileCheck %s --check-prefix=GATELR
// RUN: cpq-opt %s -split-input-file --cpq-expand-training="optimizer=sgd gate-lr-scale=30" -verify-diagnostics | FileCheck %s --check-prefix=GATELRSGD
// RUN: not cpq-opt %s --cpq-expand-training="gate-lr-scale=0" 2>&1 | FileCheck %s --check-prefix=BADGATELR

// A dense layer on a quantized weight with learned gates: the STE gradient
// gives dL/dw, dL/dalpha, dL/dsigma and dL/dlog_a.
func @gated(%x: tensor<?x6xf32>) -> tensor<?x3xf32> {
  %w = cpq.param "w" {init = "he_normal"} : tensor<3x6xf32>
  %a = cpq.param "a" {init = "constant", value = dense<0.5> : tensor<1xf32>} : tensor<1xf32>
  %s = cpq.param "s" {init = "constant", value = dense<0.125> : tensor<1xf32>} : tensor<1xf32>
  %g = cpq.param "g" {init = "constant", value = dense<3.0> : tensor<2xf32>} : tensor<2xf32>
  %wq = cpq.quantize %w, %a, %s, %g {grid = "signed", bits = 3, gate_lambda = 0.01} : (tensor<3x6xf32>, tensor<1xf32>, tensor<1xf32>, tensor<2xf32>) -> tensor<3x6xf32>
  %y = cpq.dense %x, %wq : (tensor<?x6xf32>, tensor<3x6xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}
// CHECK-LABEL: func @train_step(
// Parameters carry their init (and constant value) for the kernel's manifest.
// CHECK-SAME: %[[W:[a-z0-9]+]]: tensor<3x6xf32> {cpq.init = "he_normal", cpq.name = "w", cpq.role = "param"}, %[[A:[a-z0-9]+]]: tensor<1xf32> {cpq.init = "constant", cpq.name = "a", cpq.role = "param", cpq.value = dense<5.000000e-01> : tensor<1xf32>}, %[[S:[a-z0-9]+]]: tensor<1xf32> {cpq.init = "constant", cpq.name = "s", cpq.role = "param", cpq.value = dense<1.250000e-01> : tensor<1xf32>}, %[[G:[a-z0-9]+]]: tensor<2xf32> {cpq.init = "constant", cpq.name = "g", cpq.role = "param", cpq.value = dense<3.000000e+00> : tensor<2xf32>}
// CHECK-SAME: %[[X:[a-z0-9]+]]: tensor<?x6xf32> {cpq.name = "input", cpq.role = "input"}, %[[L:[a-z0-9]+]]: tensor<?xi32> {cpq.name = "labels", cpq.role = "labels"}, %[[STEP:[a-z0-9]+]]: i64 {cpq.name = "step", cpq.role = "step"}, %[[SEED:[a-z0-9]+]]: i64 {cpq.name = "seed", cpq.role = "seed"}, %[[LR:[a-z0-9]+]]: f32
// CHECK: %[[WQ:.*]] = cpq.quantize_train %[[W]], %[[A]], %[[S]], %[[SEED]], %[[STEP]], %[[G]] {bits = 3 : i64, gate_lambda = 1.000000e-02 : f64, grid = "signed", tensor_id = 0 : i64}
// CHECK: %[[Y:.*]] = cpq.dense %[[X]], %[[WQ]]
// CHECK: %[[LOSS:.*]], %[[CORRECT:.*]] = cpq.softmax_cross_entropy %[[Y]], %[[L]]
// CHECK: %[[DY:.*]] = cpq.softmax_cross_entropy_grad %[[Y]], %[[L]]
// CHECK-NOT: cpq.dense_grad_input
// CHECK: %[[DWQ:.*]] = cpq.dense_grad_weight %[[DY]], %[[X]]
// CHECK: %[[DW:.*]], %[[DA:.*]], %[[DS:.*]], %[[DG:.*]] = cpq.quantize_grad %[[DWQ]], %[[W]], %[[A]], %[[S]], %[[SEED]], %[[STEP]], %[[G]] {{.*}}tensor_id = 0 : i64}
// The quantizer's alpha is kept at or above 1/100 of its initial value (0.5),
// sigma at or above its initial value (0.125); weights and gate logits are
// not bounded.
// CHECK: cpq.adam_update %[[W]], %[[DW]], {{.*}}, %[[LR]], %[[STEP]]
// CHECK-NOT: lower_bound
// CHECK-SAME: -> (tensor<3x6xf32>
// CHECK: cpq.adam_update %[[A]], %[[DA]]{{.*}} lower_bound = 5.000000e-03 : f64
// CHECK: cpq.adam_update %[[S]], %[[DS]]{{.*}} lower_bound = 1.250000e-01 : f64
// CHECK: cpq.adam_update %[[G]], %[[DG]]
// CHECK-NOT: lower_bound
// CHECK-SAME: -> (tensor<2xf32>
// CHECK: return {{.*}}, %[[LOSS]], %[[CORRECT]] :
// CHECK-LABEL: func @eval_step
// CHECK: cpq.quantize %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {bits = 3

// SGD-LABEL: func @train_step
// SGD-SAME: {cpq.name = "w.momentum", cpq.role = "state"}
// SGD: cpq.sgd_update {{.*}} {momentum = 8.000000e-01 : f64, nesterov, weight_decay = 1.000000e-02 : f64} : (tensor<3x6xf32>
// SGD: cpq.sgd_update {{.*}} {lower_bound = 5.000000e-03 : f64, momentum = 8.000000e-01 : f64, nesterov, weight_decay = 0.000000e+00 : f64} : (tensor<1xf32>
// NOFLOOR-LABEL: func @train_step
// NOFLOOR-NOT: lower_bound
// NOFLOOR-LABEL: func @eval_step
// SIGMA-LABEL: func @train_step
// SIGMA: cpq.adam_update {{.*}} lower_bound = 5.000000e-03 : f64
// SIGMA: cpq.adam_update {{.*}} lower_bound = 6.250000e-02 : f64
// The larger of the two fractions bounds sigma.
// LARGER-LABEL: func @train_step
// LARGER: cpq.adam_update {{.*}} lower_bound = 3.750000e-01 : f64
// LARGER: cpq.adam_update {{.*}} lower_bound = 9.375000e-02 : f64
// BADSIGMA: sigma-floor must be a finite number >= 0, got -1
// BADSCALE: scale-floor must be a finite number >= 0, got nan
// Relative (log-space) steps for the quantizer's alpha and sigma only.
// RELATIVE-LABEL: func @train_step
// RELATIVE: cpq.adam_update
// RELATIVE-NOT: relative
// RELATIVE-SAME: -> (tensor<3x6xf32>
// RELATIVE: cpq.adam_update {{.*}}lower_bound = 5.000000e-03 : f64, relative, {{.*}} -> (tensor<1xf32>
// RELATIVE: cpq.adam_update {{.*}}lower_bound = 1.250000e-01 : f64, relative, {{.*}} -> (tensor<1xf32>
// RELATIVE: cpq.adam_update
// RELATIVE-NOT: relative
// RELATIVE-SAME: -> (tensor<2xf32>
// RELSGD-LABEL: func @train_step
// RELSGD: cpq.sgd_update
// RELSGD-NOT: relative
// RELSGD-SAME: -> (tensor<3x6xf32>
// RELSGD: cpq.sgd_update {{.*}}relative{{.*}} -> (tensor<1xf32>
// BADSTEP: scale-step must be relative or absolute, got 'log'

// -----

// A value used twice (residual): its gradients add up.
func @residual(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %w = cpq.param "w" {init = "he_normal"} : tensor<4x4xf32>
  %h = cpq.dense %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %r = cpq.relu %h : tensor<?x4xf32>
  %y = cpq.dense %r, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  %s = cpq.add %y, %r : tensor<?x4xf32>
  return %s : tensor<?x4xf32>
}
// CHECK-LABEL: func @train_step
// CHECK: %[[DS:.*]] = cpq.softmax_cross_entropy_grad
// CHECK: %[[DR1:.*]] = cpq.dense_grad_input %[[DS]]
// CHECK: %[[DW2:.*]] = cpq.dense_grad_weight %[[DS]]
// CHECK: %[[DR:.*]] = cpq.add %[[DS]], %[[DR1]]
// CHECK: %[[DH:.*]] = cpq.relu_grad %[[DR]]
// CHECK: %[[DW1:.*]] = cpq.dense_grad_weight %[[DH]]
// CHECK: %[[DW:.*]] = cpq.add %[[DW2]], %[[DW1]]
// CHECK: cpq.adam_update %{{.*}}, %[[DW]]

// -----

// A parameter off the path to the loss is kept, with a warning.
func @unused(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %w = cpq.param "w" {init = "he_normal"} : tensor<4x4xf32>
  // expected-warning @+1 {{parameter "spare" does not reach the loss; train_step leaves it unchanged}}
  %spare = cpq.param "spare" {init = "zeros"} : tensor<4xf32>
  %y = cpq.dense %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}
// CHECK-LABEL: func @train_step
// CHECK-COUNT-1: cpq.adam_update
// CHECK-NOT: cpq.adam_update

// -----

// expected-error @+1 {{the network must take one argument, the input batch}}
func @two_inputs(%x: tensor<?x4xf32>, %z: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %w = cpq.param "w" {init = "he_normal"} : tensor<4x4xf32>
  %y = cpq.dense %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// -----

// expected-error @+1 {{the network must return one value, the logits (N x classes, float32)}}
func @no_logits(%x: tensor<?x2x3xf32>) -> tensor<?x2x3xf32> {
  %w = cpq.param "w" {init = "zeros"} : tensor<3xf32>
  return %x : tensor<?x2x3xf32>
}

// -----

// expected-error @+1 {{found 0 functions with cpq.param ops; name the network with network=<function>}}
module {
  func @plain(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
    return %x : tensor<?x4xf32>
  }
}

// -----

// expected-error @+1 {{the module already has a function named 'train_step'}}
module {
  func @train_step() {
    return
  }
}

// -----

func @opaque(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %w = cpq.param "w" {init = "he_normal"} : tensor<4x4xf32>
  %y = cpq.dense %x, %w : (tensor<?x4xf32>, tensor<4x4xf32>) -> tensor<?x4xf32>
  // expected-error @+1 {{cannot be part of a network to train (it has side effects or regions)}}
  %z = call @external(%y) : (tensor<?x4xf32>) -> tensor<?x4xf32>
  return %z : tensor<?x4xf32>
}
func private @external(tensor<?x4xf32>) -> tensor<?x4xf32>

// gate-lr-scale: the gate logits' update alone gets the scale of its rate.
// GATELR-LABEL: func @train_step
// GATELR: cpq.adam_update
// GATELR-NOT: lr_scale
// GATELR-SAME: -> (tensor<3x6xf32>
// GATELR: cpq.adam_update
// GATELR-NOT: lr_scale
// GATELR-SAME: -> (tensor<1xf32>
// GATELR: cpq.adam_update
// GATELR-NOT: lr_scale
// GATELR-SAME: -> (tensor<1xf32>
// GATELR: cpq.adam_update {{.*}}lr_scale = 3.000000e+01 : f64{{.*}} -> (tensor<2xf32>
// GATELRSGD-LABEL: func @train_step
// GATELRSGD: cpq.sgd_update {{.*}}lr_scale = 3.000000e+01 : f64{{.*}} -> (tensor<2xf32>
// BADGATELR: gate-lr-scale must be a positive number, got 0
