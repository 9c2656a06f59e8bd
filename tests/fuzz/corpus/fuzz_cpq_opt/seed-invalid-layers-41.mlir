func @maxpool2d_padding_not_below_kernel(%x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{padding must be smaller than the kernel, so that every window holds an input element}}
  %y = cpq.maxpool2d %x {kernel = [2, 2], padding = [0, 2]} : (tensor<?x3x8x8xf32>) -> tensor<?x3x4x6xf32>
  return
}
