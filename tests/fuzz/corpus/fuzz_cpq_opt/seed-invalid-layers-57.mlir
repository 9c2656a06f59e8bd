func @avgpool2d_window_exceeds_width(%x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{window of 9 does not fit the width of the input, 8 plus padding 2 x 0}}
  %y = cpq.avgpool2d %x {kernel = [8, 9]} : (tensor<?x3x8x8xf32>) -> tensor<?x3x1x1xf32>
  return
}
