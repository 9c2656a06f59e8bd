func @avgpool2d_window_exceeds_height(%x: tensor<?x3x4x4xf32>) {
  // expected-error @+1 {{window of 7 does not fit the height of the input, 4 plus padding 2 x 1}}
  %y = cpq.avgpool2d %x {kernel = [7, 2], padding = [1, 0]} : (tensor<?x3x4x4xf32>) -> tensor<?x3x1x2xf32>
  return
}
