func @param_value_without_constant() {
  // expected-error @+1 {{a value is only allowed with init = "constant"}}
  %w = cpq.param "w" {init = "zeros", value = dense<1.0> : tensor<3xf32>} : tensor<3xf32>
  return
}
