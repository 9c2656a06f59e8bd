func @avgpool2d_padding_not_pair(%x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{padding must be a list of two integers [height, width]}}
  %y = cpq.avgpool2d %x {kernel = [2, 2], padding = [1]} : (tensor<?x3x8x8xf32>) -> tensor<?x3x5x5xf32>
  return
}
