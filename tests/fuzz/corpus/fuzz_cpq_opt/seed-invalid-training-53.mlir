func @maxpool2d_grad_input_unranked(%dy: tensor<?x3x4x4xf32>, %x: tensor<*xf32>) {
  // expected-error @+1 {{input must be a ranked tensor}}
  %r = cpq.maxpool2d_grad %dy, %x {kernel = [2, 2]} : (tensor<?x3x4x4xf32>, tensor<*xf32>) -> tensor<*xf32>
  return
}
