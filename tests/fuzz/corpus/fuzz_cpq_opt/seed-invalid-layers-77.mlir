func @add_lhs_unranked(%a: tensor<*xf32>) {
  // expected-error @+1 {{lhs must be a ranked tensor}}
  %y = "cpq.add"(%a, %a) : (tensor<*xf32>, tensor<*xf32>) -> tensor<*xf32>
  return
}
