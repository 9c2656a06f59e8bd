func @avgpool2d_padding_negative(%x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{padding must be at least 0, got [0, -1]}}
  %y = cpq.avgpool2d %x {kernel = [2, 2], padding = [0, -1]} : (tensor<?x3x8x8xf32>) -> tensor<?x3x4x3xf32>
  return
}
