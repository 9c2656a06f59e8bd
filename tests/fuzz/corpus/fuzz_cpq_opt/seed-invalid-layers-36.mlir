func @maxpool2d_kernel_below_one(%x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{kernel must be at least 1, got [0, 2]}}
  %y = cpq.maxpool2d %x {kernel = [0, 2]} : (tensor<?x3x8x8xf32>) -> tensor<?x3x4x4xf32>
  return
}
