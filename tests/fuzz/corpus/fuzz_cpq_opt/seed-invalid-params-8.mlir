func @param_value_not_dense() {
  // expected-error @+1 {{value must be a dense elements attribute}}
  %w = cpq.param "w" {init = "constant", value = sparse<[[0]], [1.0]> : tensor<3xf32>} : tensor<3xf32>
  return
}
