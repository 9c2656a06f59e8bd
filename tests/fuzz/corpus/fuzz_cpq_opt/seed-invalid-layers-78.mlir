func @add_rhs_unranked(%a: tensor<4xf32>, %b: tensor<*xf32>) {
  // expected-error @+1 {{rhs must be a ranked tensor}}
  %y = "cpq.add"(%a, %b) : (tensor<4xf32>, tensor<*xf32>) -> tensor<4xf32>
  return
}
