func @avgpool2d_input_unranked(%x: tensor<*xf32>) {
  // expected-error @+1 {{input must be a ranked tensor}}
  %y = cpq.avgpool2d %x {kernel = [2, 2]} : (tensor<*xf32>) -> tensor<?x3x4x4xf32>
  return
}
