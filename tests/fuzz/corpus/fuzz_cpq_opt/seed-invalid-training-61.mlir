func @maxpool2d_grad_padding_not_below_kernel(%dy: tensor<?x3x4x4xf32>, %x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{padding must be smaller than the kernel, so that every window holds an input element}}
  %r = cpq.maxpool2d_grad %dy, %x {kernel = [2, 2], padding = [1, 2]} : (tensor<?x3x4x4xf32>, tensor<?x3x8x8xf32>) -> tensor<?x3x8x8xf32>
  return
}
