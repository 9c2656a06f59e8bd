func @maxpool2d_padding_negative(%x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{padding must be at least 0, got [-1, 0]}}
  %y = cpq.maxpool2d %x {kernel = [2, 2], padding = [-1, 0]} : (tensor<?x3x8x8xf32>) -> tensor<?x3x3x4xf32>
  return
}
