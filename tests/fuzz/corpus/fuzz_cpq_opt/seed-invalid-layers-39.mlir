func @maxpool2d_padding_not_pair(%x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{padding must be a list of two integers [height, width]}}
  %y = cpq.maxpool2d %x {kernel = [2, 2], padding = [0, 0, 0]} : (tensor<?x3x8x8xf32>) -> tensor<?x3x4x4xf32>
  return
}
