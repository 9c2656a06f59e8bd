func @avgpool2d_grad_padding_negative(%dy: tensor<?x3x4x4xf32>, %x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{padding must be at least 0, got [0, -1]}}
  %r = cpq.avgpool2d_grad %dy, %x {kernel = [2, 2], padding = [0, -1]} : (tensor<?x3x4x4xf32>, tensor<?x3x8x8xf32>) -> tensor<?x3x8x8xf32>
  return
}
