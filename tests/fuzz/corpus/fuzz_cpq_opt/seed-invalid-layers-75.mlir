func @flatten_input_rank_below_2(%x: tensor<?xf32>) {
  // expected-error @+1 {{input needs a batch axis and at least one more, got [?]}}
  %y = cpq.flatten %x : (tensor<?xf32>) -> tensor<?x1xf32>
  return
}
