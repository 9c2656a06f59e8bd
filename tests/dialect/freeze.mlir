// --cpq-freeze: integer layers with requantization (batch norm, bias, ReLU
// and the next quantizer folded into one scale and bias per channel), float
// fallbacks, and its errors.
// RUN: cpq-opt %s -split-input-file --cpq-freeze -verify-diagnostics | FileCheck %s

// Levels q_x (step 0.5) times packed weights (step 0.25 per channel, 2 bits):
// scale = 0.5 * 0.25 * s, s = gamma / sqrt(var + eps) = 2 / sqrt(4 + 1e-5) ~ 1,
// bias = (b - mean) * s + beta ~ (1 - 3) * 1 + 0.5 = -1.5.
func @net(%x: tensor<?x2x4x4xf32>) -> tensor<?x3x2x2xf32> {
  %ax = cpq.param "ax" {init = "constant", value = dense<0.5> : tensor<1xf32>} : tensor<1xf32>
  %xq = cpq.quantize %x, %ax, %ax {grid = "unsigned", bits = 4} : (tensor<?x2x4x4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x2x4x4xf32>
  %w = cpq.param "w" {init = "constant", value = dense<0.1> : tensor<3x2x3x3xf32>} : tensor<3x2x3x3xf32>
  %aw = cpq.param "aw" {init = "constant", value = dense<0.25> : tensor<3xf32>} : tensor<3xf32>
  %wq = cpq.quantize %w, %aw, %aw {grid = "signed", bits = 2, axis = 0} : (tensor<3x2x3x3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<3x2x3x3xf32>
  %b = cpq.param "b" {init = "constant", value = dense<1.0> : tensor<3xf32>} : tensor<3xf32>
  %c = cpq.conv2d %xq, %wq, %b : (tensor<?x2x4x4xf32>, tensor<3x2x3x3xf32>, tensor<3xf32>) -> tensor<?x3x2x2xf32>
  %g = cpq.param "g" {init = "constant", value = dense<2.0> : tensor<3xf32>} : tensor<3xf32>
  %be = cpq.param "be" {init = "constant", value = dense<0.5> : tensor<3xf32>} : tensor<3xf32>
  %m = cpq.param "m" {init = "constant", value = dense<3.0> : tensor<3xf32>, trainable = false} : tensor<3xf32>
  %v = cpq.param "v" {init = "constant", value = dense<4.0> : tensor<3xf32>, trainable = false} : tensor<3xf32>
  %n = cpq.batch_norm %c, %g, %be, %m, %v : (tensor<?x3x2x2xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<?x3x2x2xf32>
  %r = cpq.relu %n : tensor<?x3x2x2xf32>
  %an = cpq.param "an" {init = "constant", value = dense<0.125> : tensor<1xf32>} : tensor<1xf32>
  %rq = cpq.quantize %r, %an, %an {grid = "unsigned", bits = 2} : (tensor<?x3x2x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x3x2x2xf32>
  return %rq : tensor<?x3x2x2xf32>
}
// CHECK-LABEL: func @inference(%arg0: tensor<?x2x4x4xf32> {cpq.name = "input", cpq.role = "input"}) -> (tensor<?x3x2x2xf32> {cpq.name = "logits", cpq.role = "logits"})
// CHECK: %[[AX:.*]] = cpq.param "ax"
// CHECK: %[[XQ:.*]] = cpq.encode %arg0, %[[AX]] {bits = 4 : i64, grid = "unsigned"} : (tensor<?x2x4x4xf32>, tensor<1xf32>) -> tensor<?x2x4x4xui8>
// CHECK: %[[P:.*]] = cpq.pack %{{.*}}, %{{.*}} {bits = 2 : i64, grid = "signed"} : (tensor<3x2x3x3xf32>, tensor<3xf32>) -> tensor<3x5xui8>
// CHECK: %[[ACC:.*]] = cpq.qconv2d %[[XQ]], %[[P]] {bits = 2 : i64, grid = "signed", kernel = [3, 3]} : (tensor<?x2x4x4xui8>, tensor<3x5xui8>) -> tensor<?x3x2x2xi32>
// CHECK: %[[S:.*]] = cpq.param "w.requantize.scale" {init = "constant", value = dense<0.12499{{[0-9]*}}> : tensor<3xf32>}
// CHECK: %[[B:.*]] = cpq.param "w.requantize.bias" {init = "constant", value = dense<-1.49999{{[0-9]*}}> : tensor<3xf32>}
// CHECK: %[[AN:.*]] = cpq.param "an"
// CHECK: %[[Y:.*]] = cpq.requantize %[[ACC]], %[[S]], %[[B]], %[[AN]] {bits = 2 : i64, grid = "unsigned", relu} : (tensor<?x3x2x2xi32>, tensor<3xf32>, tensor<3xf32>, tensor<1xf32>) -> tensor<?x3x2x2xui8>
// CHECK: %[[F:.*]] = cpq.decode %[[Y]], %[[AN]] {bits = 2 : i64, grid = "unsigned"}
// CHECK: return %[[F]]

// -----

// A max pooling after a requantized layer: with positive scales the int32
// sums are pooled, then requantized (the same levels, a quarter of the work).
func @pooled(%x: tensor<?x1x4x4xf32>) -> tensor<?x2x1x1xf32> {
  %ax = cpq.param "ax" {init = "constant", value = dense<0.5> : tensor<1xf32>} : tensor<1xf32>
  %xq = cpq.quantize %x, %ax, %ax {grid = "unsigned", bits = 4} : (tensor<?x1x4x4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x1x4x4xf32>
  %w = cpq.param "w" {init = "constant", value = dense<0.1> : tensor<2x1x3x3xf32>} : tensor<2x1x3x3xf32>
  %aw = cpq.param "aw" {init = "constant", value = dense<0.25> : tensor<2xf32>} : tensor<2xf32>
  %wq = cpq.quantize %w, %aw, %aw {grid = "signed", bits = 2, axis = 0} : (tensor<2x1x3x3xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<2x1x3x3xf32>
  %c = cpq.conv2d %xq, %wq : (tensor<?x1x4x4xf32>, tensor<2x1x3x3xf32>) -> tensor<?x2x2x2xf32>
  %r = cpq.relu %c : tensor<?x2x2x2xf32>
  %an = cpq.param "an" {init = "constant", value = dense<0.125> : tensor<1xf32>} : tensor<1xf32>
  %rq = cpq.quantize %r, %an, %an {grid = "unsigned", bits = 2} : (tensor<?x2x2x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x2x2x2xf32>
  %p = cpq.maxpool2d %rq {kernel = [2, 2]} : (tensor<?x2x2x2xf32>) -> tensor<?x2x1x1xf32>
  return %p : tensor<?x2x1x1xf32>
}
// CHECK-LABEL: func @inference
// CHECK: %[[ACC:.*]] = cpq.qconv2d
// CHECK: %[[POOL:.*]] = cpq.maxpool2d %[[ACC]] {kernel = [2, 2]} : (tensor<?x2x2x2xi32>) -> tensor<?x2x1x1xi32>
// CHECK: cpq.requantize %[[POOL]], {{.*}} : (tensor<?x2x1x1xi32>, tensor<2xf32>, tensor<2xf32>, tensor<1xf32>) -> tensor<?x2x1x1xui8>

// -----

// A negative scale (a batch norm's negative gamma) keeps the pooling on the
// levels: requantization is not monotone there.
func @pooled_negative(%x: tensor<?x1x4x4xf32>) -> tensor<?x2x1x1xf32> {
  %ax = cpq.param "ax" {init = "constant", value = dense<0.5> : tensor<1xf32>} : tensor<1xf32>
  %xq = cpq.quantize %x, %ax, %ax {grid = "unsigned", bits = 4} : (tensor<?x1x4x4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x1x4x4xf32>
  %w = cpq.param "w" {init = "constant", value = dense<0.1> : tensor<2x1x3x3xf32>} : tensor<2x1x3x3xf32>
  %aw = cpq.param "aw" {init = "constant", value = dense<0.25> : tensor<2xf32>} : tensor<2xf32>
  %wq = cpq.quantize %w, %aw, %aw {grid = "signed", bits = 2, axis = 0} : (tensor<2x1x3x3xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<2x1x3x3xf32>
  %c = cpq.conv2d %xq, %wq : (tensor<?x1x4x4xf32>, tensor<2x1x3x3xf32>) -> tensor<?x2x2x2xf32>
  %g = cpq.param "g" {init = "constant", value = dense<[1.0, -1.0]> : tensor<2xf32>} : tensor<2xf32>
  %be = cpq.param "be" {init = "constant", value = dense<0.0> : tensor<2xf32>} : tensor<2xf32>
  %m = cpq.param "m" {init = "constant", value = dense<0.0> : tensor<2xf32>, trainable = false} : tensor<2xf32>
  %v = cpq.param "v" {init = "constant", value = dense<1.0> : tensor<2xf32>, trainable = false} : tensor<2xf32>
  %n = cpq.batch_norm %c, %g, %be, %m, %v : (tensor<?x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<?x2x2x2xf32>
  %r = cpq.relu %n : tensor<?x2x2x2xf32>
  %an = cpq.param "an" {init = "constant", value = dense<0.125> : tensor<1xf32>} : tensor<1xf32>
  %rq = cpq.quantize %r, %an, %an {grid = "unsigned", bits = 2} : (tensor<?x2x2x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x2x2x2xf32>
  %p = cpq.maxpool2d %rq {kernel = [2, 2]} : (tensor<?x2x2x2xf32>) -> tensor<?x2x1x1xf32>
  return %p : tensor<?x2x1x1xf32>
}
// CHECK-LABEL: func @inference
// CHECK: %[[ACC:.*]] = cpq.qconv2d
// CHECK: %[[Y:.*]] = cpq.requantize %[[ACC]], {{.*}} -> tensor<?x2x2x2xui8>
// CHECK: cpq.maxpool2d %[[Y]] {kernel = [2, 2]} : (tensor<?x2x2x2xui8>) -> tensor<?x2x1x1xui8>

// -----

// 8-bit activations times 8-bit weights over 16449 products can exceed the
// range in which the integer layer is exact: refused, not silently wrong.
func @too_long(%x: tensor<?x16449xf32>) -> tensor<?x1xf32> {
  %ax = cpq.param "ax" {init = "constant", value = dense<0.5> : tensor<1xf32>} : tensor<1xf32>
  %xq = cpq.quantize %x, %ax, %ax {grid = "unsigned", bits = 8} : (tensor<?x16449xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<?x16449xf32>
  %w = cpq.param "w" {init = "constant", value = dense<0.1> : tensor<1x16449xf32>} : tensor<1x16449xf32>
  %aw = cpq.param "aw" {init = "constant", value = dense<0.25> : tensor<1xf32>} : tensor<1xf32>
  %wq = cpq.quantize %w, %aw, %aw {grid = "signed", bits = 8, axis = 0} : (tensor<1x16449xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x16449xf32>
  // expected-error @+1 {{sums 16449 products of unsigned8 activations and signed8 weights, which can exceed the 2^29}}
  %y = cpq.dense %xq, %wq : (tensor<?x16449xf32>, tensor<1x16449xf32>) -> tensor<?x1xf32>
  return %y : tensor<?x1xf32>
}

// -----

// A float convolution followed by batch norm: the norm goes into the weights.
func @float_net(%x: tensor<?x1x3x3xf32>) -> tensor<?x2x1x1xf32> {
  %w = cpq.param "w" {init = "constant", value = dense<1.0> : tensor<2x1x3x3xf32>} : tensor<2x1x3x3xf32>
  %g = cpq.param "g" {init = "constant", value = dense<[3.0, 4.0]> : tensor<2xf32>} : tensor<2xf32>
  %be = cpq.param "be" {init = "constant", value = dense<1.0> : tensor<2xf32>} : tensor<2xf32>
  %m = cpq.param "m" {init = "constant", value = dense<2.0> : tensor<2xf32>, trainable = false} : tensor<2xf32>
  %v = cpq.param "v" {init = "constant", value = dense<1.0> : tensor<2xf32>, trainable = false} : tensor<2xf32>
  %c = cpq.conv2d %x, %w : (tensor<?x1x3x3xf32>, tensor<2x1x3x3xf32>) -> tensor<?x2x1x1xf32>
  %n = cpq.batch_norm %c, %g, %be, %m, %v : (tensor<?x2x1x1xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<?x2x1x1xf32>
  return %n : tensor<?x2x1x1xf32>
}
// CHECK-LABEL: func @inference
// CHECK: %[[W:.*]] = cpq.param "w.folded" {init = "constant", value = dense<{{\[\[\[\[}}2.99998{{[0-9]*}}, 2.99998{{[0-9]*}}, 2.99998{{[0-9]*}}]{{.*}}3.99998
// CHECK: %[[B:.*]] = cpq.param "w.folded_bias" {init = "constant", value = dense<[-4.999970e+00, -6.999960e+00]> : tensor<2xf32>}
// CHECK: %[[Y:.*]] = cpq.conv2d %arg0, %[[W]], %[[B]]
// CHECK-NOT: batch_norm
// CHECK: return %[[Y]]

// -----

func @unbound(%x: tensor<?x4xf32>) -> tensor<?x2xf32> {
  // expected-error @+1 {{parameter "w" has no trained value; bind them with --cpq-bind-params=file=<parameters.safetensors>}}
  %w = cpq.param "w" {init = "he_normal"} : tensor<2x4xf32>
  %y = cpq.dense %x, %w : (tensor<?x4xf32>, tensor<2x4xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}

// -----

func @gated(%x: tensor<?x4xf32>) -> tensor<?x2xf32> {
  %w = cpq.param "w" {init = "constant", value = dense<1.0> : tensor<2x4xf32>} : tensor<2x4xf32>
  %a = cpq.param "a" {init = "constant", value = dense<1.0> : tensor<1xf32>} : tensor<1xf32>
  %g = cpq.param "g" {init = "constant", value = dense<1.0> : tensor<1xf32>} : tensor<1xf32>
  // expected-error @+1 {{has learned gates; fix its bit-width with --cpq-assign-bitwidths before freezing}}
  %wq = cpq.quantize %w, %a, %a, %g {grid = "signed", bits = 2} : (tensor<2x4xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<2x4xf32>
  %y = cpq.dense %x, %wq : (tensor<?x4xf32>, tensor<2x4xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}
