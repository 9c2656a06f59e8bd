func @conv2d_filter_dynamic(%x: tensor<?x3x8x8xf32>, %w: tensor<?x3x3x3xf32>) {
  // expected-error @+1 {{filter needs a static shape}}
  %y = cpq.conv2d %x, %w : (tensor<?x3x8x8xf32>, tensor<?x3x3x3xf32>) -> tensor<?x?x6x6xf32>
  return
}
