// Verifier errors of cpq.param: its shape, name, init and value.

// cpq.param: required and enum attributes, result type, shape, name, init and value.

func @param_name_missing() {
  // expected-error @+1 {{requires attribute 'name'}}
  %w = "cpq.param"() {init = "zeros"} : () -> tensor<3xf32>
  return
}
