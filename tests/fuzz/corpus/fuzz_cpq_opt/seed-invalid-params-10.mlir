func @param_he_normal_rank_below_2() {
  // expected-error @+1 {{init "he_normal" needs a weight of rank >= 2}}
  %w = cpq.param "w" {init = "he_normal"} : tensor<3xf32>
  return
}
