// cpq.relu: its input.

func @relu_input_unranked(%x: tensor<*xf32>) {
  // expected-error @+1 {{input must be a ranked tensor}}
  %y = "cpq.relu"(%x) : (tensor<*xf32>) -> tensor<*xf32>
  return
}
