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
