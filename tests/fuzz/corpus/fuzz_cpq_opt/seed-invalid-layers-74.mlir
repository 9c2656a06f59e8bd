// cpq.flatten: its input.

func @flatten_input_unranked(%x: tensor<*xf32>) {
  // expected-error @+1 {{input must be a ranked tensor}}
  %y = cpq.flatten %x : (tensor<*xf32>) -> tensor<?x?xf32>
  return
}
