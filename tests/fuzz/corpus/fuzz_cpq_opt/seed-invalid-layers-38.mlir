func @maxpool2d_stride_below_one(%x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{stride must be at least 1, got [2, 0]}}
  %y = cpq.maxpool2d %x {kernel = [2, 2], stride = [2, 0]} : (tensor<?x3x8x8xf32>) -> tensor<?x3x4x4xf32>
  return
}
