func @maxpool2d_window_exceeds_width(%x: tensor<?x3x4x4xf32>) {
  // expected-error @+1 {{window of 7 does not fit the width of the input, 4 plus padding 2 x 1}}
  %y = cpq.maxpool2d %x {kernel = [2, 7], padding = [0, 1]} : (tensor<?x3x4x4xf32>) -> tensor<?x3x2x1xf32>
  return
}
