func @param_shape_dynamic() {
  // expected-error @+1 {{parameter "w" needs a static shape}}
  %w = cpq.param "w" {init = "zeros"} : tensor<?x3xf32>
  return
}
