func @param_result_unranked() {
  // expected-error @+1 {{result #0 must be ranked tensor of 32-bit float values, but got 'tensor<*xf32>'}}
  %w = cpq.param "w" {init = "zeros"} : tensor<*xf32>
  return
}
