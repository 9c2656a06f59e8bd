func @maxpool2d_grad_padding_not_pair(%dy: tensor<?x3x4x4xf32>, %x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{padding must be a list of two integers [height, width]}}
  %r = cpq.maxpool2d_grad %dy, %x {kernel = [2, 2], padding = [0]} : (tensor<?x3x4x4xf32>, tensor<?x3x8x8xf32>) -> tensor<?x3x8x8xf32>
  return
}
