func @param_name_empty() {
  // expected-error @+1 {{parameter name must not be empty}}
  %w = cpq.param "" {init = "zeros"} : tensor<3xf32>
  return
}
