func @param_glorot_uniform_rank_below_2() {
  // expected-error @+1 {{init "glorot_uniform" needs a weight of rank >= 2 to know its fan-in, got 'tensor<f32>'}}
  %w = cpq.param "w" {init = "glorot_uniform"} : tensor<f32>
  return
}
