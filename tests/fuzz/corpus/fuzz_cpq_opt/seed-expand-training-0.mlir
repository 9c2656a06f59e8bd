// --cpq-expand-training on small networks: the exact gradient graph, the
// optimizers, and its errors.

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
// Parameters carry their init (and constant value) for the kernel's manifest.
// The quantizer's alpha is kept at or above 1/100 of its initial value (0.5),
// sigma at or above its initial value (0.125); weights and gate logits are
// not bounded.

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
