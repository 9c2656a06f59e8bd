func @avgpool2d_kernel_not_pair(%x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{kernel must be a list of two integers [height, width]}}
  %y = cpq.avgpool2d %x {kernel = [8]} : (tensor<?x3x8x8xf32>) -> tensor<?x3x1x1xf32>
  return
}
