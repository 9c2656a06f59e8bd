func @avgpool2d_grad_kernel_below_one(%dy: tensor<?x3x4x4xf32>, %x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{kernel must be at least 1, got [0, 0]}}
  %r = cpq.avgpool2d_grad %dy, %x {kernel = [0, 0]} : (tensor<?x3x4x4xf32>, tensor<?x3x8x8xf32>) -> tensor<?x3x8x8xf32>
  return
}
