func @avgpool2d_padding_not_below_kernel(%x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{padding must be smaller than the kernel}}
  %y = cpq.avgpool2d %x {kernel = [2, 2], padding = [2, 2]} : (tensor<?x3x8x8xf32>) -> tensor<?x3x6x6xf32>
  return
}
