func @maxpool2d_kernel_not_pair(%x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{kernel must be a list of two integers [height, width]}}
  %y = cpq.maxpool2d %x {kernel = [2, 2, 2]} : (tensor<?x3x8x8xf32>) -> tensor<?x3x4x4xf32>
  return
}
