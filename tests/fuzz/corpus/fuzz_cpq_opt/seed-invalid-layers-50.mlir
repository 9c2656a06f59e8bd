func @avgpool2d_kernel_below_one(%x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{kernel must be at least 1, got [2, -2]}}
  %y = cpq.avgpool2d %x {kernel = [2, -2]} : (tensor<?x3x8x8xf32>) -> tensor<?x3x4x4xf32>
  return
}
