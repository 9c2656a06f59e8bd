func @bias_grad_output_grad_rank_below_2(%dy: tensor<?xf32>) {
  // expected-error @+1 {{output_grad needs a channel axis 1, got [?]}}
  %d = cpq.bias_grad %dy : (tensor<?xf32>) -> tensor<?xf32>
  return
}
