func @avgpool2d_grad_kernel_not_pair(%dy: tensor<?x3x4x4xf32>, %x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{kernel must be a list of two integers [height, width]}}
  %r = cpq.avgpool2d_grad %dy, %x {kernel = [2]} : (tensor<?x3x4x4xf32>, tensor<?x3x8x8xf32>) -> tensor<?x3x8x8xf32>
  return
}
