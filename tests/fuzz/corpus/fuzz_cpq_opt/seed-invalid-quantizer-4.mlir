func @quantize_input_unranked(%x: tensor<*xf32>, %a: tensor<1xf32>, %s: tensor<1xf32>) {
  // expected-error @+1 {{input must be a ranked tensor}}
  %q = cpq.quantize %x, %a, %s {grid = "signed", bits = 2} : (tensor<*xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<*xf32>
  return
}
