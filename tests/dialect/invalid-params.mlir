// Verifier errors of cpq.param: its shape, name, init and value.
// RUN: cpq-opt %s -split-input-file -verify-diagnostics

// cpq.param: required and enum attributes, result type, shape, name, init and value.

func @param_name_missing() {
  // expected-error @+1 {{requires attribute 'name'}}
  %w = "cpq.param"() {init = "zeros"} : () -> tensor<3xf32>
  return
}

// -----

func @param_init_missing() {
  // expected-error @+1 {{requires attribute 'init'}}
  %w = cpq.param "w" : tensor<3xf32>
  return
}

// -----

func @param_init_unknown() {
  // expected-error @+1 {{attribute 'init' failed to satisfy constraint: init: "he_normal", "glorot_uniform", "zeros", "ones" or "constant"}}
  %w = cpq.param "w" {init = "gaussian"} : tensor<3x3xf32>
  return
}

// -----

func @param_result_unranked() {
  // expected-error @+1 {{result #0 must be ranked tensor of 32-bit float values, but got 'tensor<*xf32>'}}
  %w = cpq.param "w" {init = "zeros"} : tensor<*xf32>
  return
}

// -----

func @param_shape_dynamic() {
  // expected-error @+1 {{parameter "w" needs a static shape}}
  %w = cpq.param "w" {init = "zeros"} : tensor<?x3xf32>
  return
}

// -----

func @param_name_empty() {
  // expected-error @+1 {{parameter name must not be empty}}
  %w = cpq.param "" {init = "zeros"} : tensor<3xf32>
  return
}

// -----

func @param_constant_without_value() {
  // expected-error @+1 {{init = "constant" needs a value attribute}}
  %w = cpq.param "w" {init = "constant"} : tensor<3xf32>
  return
}

// -----

func @param_value_without_constant() {
  // expected-error @+1 {{a value is only allowed with init = "constant"}}
  %w = cpq.param "w" {init = "zeros", value = dense<1.0> : tensor<3xf32>} : tensor<3xf32>
  return
}

// -----

func @param_value_not_dense() {
  // expected-error @+1 {{value must be a dense elements attribute}}
  %w = cpq.param "w" {init = "constant", value = sparse<[[0]], [1.0]> : tensor<3xf32>} : tensor<3xf32>
  return
}

// -----

func @param_value_type_mismatch() {
  // expected-error @+1 {{value has type 'tensor<4xf32>' but the parameter is 'tensor<3xf32>'}}
  %w = cpq.param "w" {init = "constant", value = dense<1.0> : tensor<4xf32>} : tensor<3xf32>
  return
}

// -----

func @param_he_normal_rank_below_2() {
  // expected-error @+1 {{init "he_normal" needs a weight of rank >= 2}}
  %w = cpq.param "w" {init = "he_normal"} : tensor<3xf32>
  return
}

// -----

func @param_glorot_uniform_rank_below_2() {
  // expected-error @+1 {{init "glorot_uniform" needs a weight of rank >= 2 to know its fan-in, got 'tensor<f32>'}}
  %w = cpq.param "w" {init = "glorot_uniform"} : tensor<f32>
  return
}

// -----

func @param_name_used_twice() {
  %a = cpq.param "w" {init = "zeros"} : tensor<3xf32>
  // expected-error @+1 {{parameter name "w" is used twice in this function}}
  %b = cpq.param "w" {init = "ones"} : tensor<3xf32>
  return
}
