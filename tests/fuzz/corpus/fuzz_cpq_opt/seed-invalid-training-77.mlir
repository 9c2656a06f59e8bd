func @avgpool2d_grad_window_exceeds_height(%dy: tensor<?x3x1x4xf32>, %x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{window of 9 does not fit the height of the input, 8 plus padding 2 x 0}}
  %r = cpq.avgpool2d_grad %dy, %x {kernel = [9, 2]} : (tensor<?x3x1x4xf32>, tensor<?x3x8x8xf32>) -> tensor<?x3x8x8xf32>
  return
}
