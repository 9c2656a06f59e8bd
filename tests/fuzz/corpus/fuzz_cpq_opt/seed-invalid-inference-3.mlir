func @encode_input_unranked(%x: tensor<*xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{input must be a ranked tensor}}
  %r = cpq.encode %x, %a {grid = "unsigned", bits = 4} : (tensor<*xf32>, tensor<1xf32>) -> tensor<*xui8>
  return
}
