func @maxpool2d_grad_stride_below_one(%dy: tensor<?x3x4x4xf32>, %x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{stride must be at least 1, got [0, 2]}}
  %r = cpq.maxpool2d_grad %dy, %x {kernel = [2, 2], stride = [0, 2]} : (tensor<?x3x4x4xf32>, tensor<?x3x8x8xf32>) -> tensor<?x3x8x8xf32>
  return
}
