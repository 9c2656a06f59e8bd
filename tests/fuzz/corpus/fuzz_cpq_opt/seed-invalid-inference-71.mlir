func @requantize_input_rank_below_2(%acc: tensor<?xi32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{input needs a channel axis 1, got [?]}}
  %y = cpq.requantize %acc, %s, %s : (tensor<?xi32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?xf32>
  return
}
