func @param_value_type_mismatch() {
  // expected-error @+1 {{value has type 'tensor<4xf32>' but the parameter is 'tensor<3xf32>'}}
  %w = cpq.param "w" {init = "constant", value = dense<1.0> : tensor<4xf32>} : tensor<3xf32>
  return
}
