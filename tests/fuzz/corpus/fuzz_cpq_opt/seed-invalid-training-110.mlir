func @flatten_grad_input_rank_below_2(%dy: tensor<?x1xf32>, %x: tensor<?xf32>) {
  // expected-error @+1 {{input needs a batch axis and at least one more, got [?]}}
  %r = cpq.flatten_grad %dy, %x : (tensor<?x1xf32>, tensor<?xf32>) -> tensor<?xf32>
  return
}
