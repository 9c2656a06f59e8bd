// --cpq-expand-hessian: the second-order backward pass of small networks
// (squared weights for a layer's input, squared inputs for its weights,
// curvatures summed over a value's uses), its roles, and its refusals.
// RUN: cpq-opt %s -split-input-file --cpq-expand-hessian -verify-diagnostics | FileCheck %s

// Dense -> relu -> dense.
func @mlp(%x: tensor<?x6xf32>) -> tensor<?x3xf32> {
  %w1 = cpq.param "w1" {init = "he_normal"} : tensor<5x6xf32>
  %b1 = cpq.param "b1" {init = "zeros"} : tensor<5xf32>
  %h = cpq.dense %x, %w1, %b1 : (tensor<?x6xf32>, tensor<5x6xf32>, tensor<5xf32>) -> tensor<?x5xf32>
  %r = cpq.relu %h : tensor<?x5xf32>
  %w2 = cpq.param "w2" {init = "he_normal"} : tensor<3x5xf32>
  %y = cpq.dense %r, %w2 : (tensor<?x5xf32>, tensor<3x5xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}
// CHECK-LABEL: func @hessian_diag(
// CHECK-SAME: %[[W1:[a-z0-9]+]]: tensor<5x6xf32> {cpq.init = "he_normal", cpq.name = "w1", cpq.role = "param"}, %[[B1:[a-z0-9]+]]: tensor<5xf32> {{.*}}cpq.name = "b1"{{.*}}, %[[W2:[a-z0-9]+]]: tensor<3x5xf32> {{.*}}cpq.name = "w2"{{.*}}, %[[X:[a-z0-9]+]]: tensor<?x6xf32> {cpq.name = "input", cpq.role = "input"}, %[[L:[a-z0-9]+]]: tensor<?xi32> {cpq.name = "labels", cpq.role = "labels"})
// CHECK-SAME: -> (tensor<5x6xf32> {cpq.name = "w1.hessian", cpq.role = "hessian"}, tensor<5xf32> {cpq.name = "b1.hessian", cpq.role = "hessian"}, tensor<3x5xf32> {cpq.name = "w2.hessian", cpq.role = "hessian"}, tensor<f32> {cpq.name = "loss", cpq.role = "loss"}, tensor<i32> {cpq.name = "correct", cpq.role = "correct"})
// CHECK: %[[H:.*]] = cpq.dense %[[X]], %[[W1]], %[[B1]]
// CHECK: %[[R:.*]] = cpq.relu %[[H]]
// CHECK: %[[Y:.*]] = cpq.dense %[[R]], %[[W2]]
// CHECK: %[[LOSS:.*]], %[[CORRECT:.*]] = cpq.softmax_cross_entropy %[[Y]], %[[L]]
// CHECK: %[[HY:.*]] = cpq.softmax_cross_entropy_hessian %[[Y]] : tensor<?x3xf32>
// CHECK: %[[W2SQ:.*]] = cpq.square %[[W2]] : tensor<3x5xf32>
// CHECK: %[[HR:.*]] = cpq.dense_grad_input %[[HY]], %[[W2SQ]]
// CHECK: %[[RSQ:.*]] = cpq.square %[[R]] : tensor<?x5xf32>
// CHECK: %[[HW2:.*]] = cpq.dense_grad_weight %[[HY]], %[[RSQ]]
// CHECK: %[[HH:.*]] = cpq.relu_grad %[[HR]], %[[H]]
// The input's curvature is not needed: no square of w1.
// CHECK-NOT: cpq.square %[[W1]]
// CHECK: %[[XSQ:.*]] = cpq.square %[[X]] : tensor<?x6xf32>
// CHECK: %[[HW1:.*]] = cpq.dense_grad_weight %[[HH]], %[[XSQ]]
// CHECK: %[[HB1:.*]] = cpq.bias_grad %[[HH]]
// CHECK: return %[[HW1]], %[[HB1]], %[[HW2]], %[[LOSS]], %[[CORRECT]]

// -----

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
// CHECK-LABEL: func @hessian_diag(
// CHECK-SAME: -> (tensor<4x2x3x3xf32> {cpq.name = "w1.hessian", cpq.role = "hessian"}, tensor<3x36xf32> {cpq.name = "w3.hessian", cpq.role = "hessian"}, tensor<f32>
// CHECK: %[[HF:.*]] = cpq.flatten_grad
// CHECK: %[[HS:.*]] = cpq.maxpool2d_grad %[[HF]]
// CHECK: %[[W2SQ:.*]] = cpq.square %{{.*}} : tensor<4x4x3x3xf32>
// CHECK: %[[HR2:.*]] = cpq.conv2d_grad_input %[[HS]], %{{.*}}, %[[W2SQ]] {padding = [1, 1]}
// CHECK: %[[HR:.*]] = cpq.add %[[HS]], %[[HR2]]
// CHECK: %[[HC1:.*]] = cpq.relu_grad %[[HR]]
// CHECK: %[[XSQ:.*]] = cpq.square %{{.*}} : tensor<?x2x6x6xf32>
// CHECK: cpq.conv2d_grad_filter %[[HC1]], %[[XSQ]], %{{.*}} {padding = [1, 1]}

// -----

// Layers without a second-order pass are refused.
func @normed(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  %g = cpq.param "g" {init = "ones"} : tensor<4xf32>
  %b = cpq.param "b" {init = "zeros"} : tensor<4xf32>
  %m = cpq.param "m" {init = "zeros", trainable = false} : tensor<4xf32>
  %v = cpq.param "v" {init = "ones", trainable = false} : tensor<4xf32>
  // expected-error @+1 {{'cpq.batch_norm' op has no second-order backward pass (--cpq-expand-hessian supports conv2d, dense, relu, maxpool2d, flatten and add)}}
  %y = cpq.batch_norm %x, %g, %b, %m, %v : (tensor<?x4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}

// -----

func @quantized(%x: tensor<?x6xf32>) -> tensor<?x3xf32> {
  %w = cpq.param "w" {init = "he_normal"} : tensor<3x6xf32>
  %a = cpq.param "a" {init = "constant", value = dense<0.5> : tensor<1xf32>} : tensor<1xf32>
  %s = cpq.param "s" {init = "constant", value = dense<0.125> : tensor<1xf32>} : tensor<1xf32>
  // expected-error @+1 {{'cpq.quantize' op has no second-order backward pass}}
  %wq = cpq.quantize %w, %a, %s {grid = "signed", bits = 2} : (tensor<3x6xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<3x6xf32>
  %y = cpq.dense %x, %wq : (tensor<?x6xf32>, tensor<3x6xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}

// -----

// expected-error @+1 {{the module already has a function named 'hessian_diag'}}
module {
  func @hessian_diag() { return }
  func @net(%x: tensor<?x6xf32>) -> tensor<?x3xf32> {
    %w = cpq.param "w" {init = "he_normal"} : tensor<3x6xf32>
    %y = cpq.dense %x, %w : (tensor<?x6xf32>, tensor<3x6xf32>) -> tensor<?x3xf32>
    return %y : tensor<?x3xf32>
  }
}

// -----

// A network of untrainable parameters has nothing to differentiate.
// expected-error @+1 {{no trainable parameter reaches the loss: no Hessian to compute}}
func @frozen(%x: tensor<?x6xf32>) -> tensor<?x3xf32> {
  %w = cpq.param "w" {init = "he_normal", trainable = false} : tensor<3x6xf32>
  %y = cpq.dense %x, %w : (tensor<?x6xf32>, tensor<3x6xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}
