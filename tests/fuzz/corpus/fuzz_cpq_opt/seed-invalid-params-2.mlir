func @param_init_unknown() {
  // expected-error @+1 {{attribute 'init' failed to satisfy constraint: init: "he_normal", "glorot_uniform", "zeros", "ones" or "constant"}}
  %w = cpq.param "w" {init = "gaussian"} : tensor<3x3xf32>
  return
}
