func @avgpool2d_grad_output_grad_unranked(%dy: tensor<*xf32>, %x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{output_grad must be a ranked tensor}}
  %r = cpq.avgpool2d_grad %dy, %x {kernel = [2, 2]} : (tensor<*xf32>, tensor<?x3x8x8xf32>) -> tensor<?x3x8x8xf32>
  return
}
