func @avgpool2d_input_rank(%x: tensor<?x3x8xf32>) {
  // expected-error @+1 {{input must have rank 4, got [?, 3, 8]}}
  %y = cpq.avgpool2d %x {kernel = [2, 2]} : (tensor<?x3x8xf32>) -> tensor<?x3x4x4xf32>
  return
}
