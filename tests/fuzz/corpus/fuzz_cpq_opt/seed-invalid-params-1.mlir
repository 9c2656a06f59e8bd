func @param_init_missing() {
  // expected-error @+1 {{requires attribute 'init'}}
  %w = cpq.param "w" : tensor<3xf32>
  return
}
