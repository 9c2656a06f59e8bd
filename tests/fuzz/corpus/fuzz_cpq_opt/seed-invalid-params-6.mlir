func @param_constant_without_value() {
  // expected-error @+1 {{init = "constant" needs a value attribute}}
  %w = cpq.param "w" {init = "constant"} : tensor<3xf32>
  return
}
