func @maxpool2d_result_type_mismatch(%x: tensor<?x3x8x8xf32>) {
  // expected-error @+1 {{inferred type(s) 'tensor<?x3x4x4xf32>' are incompatible}}
  %y = cpq.maxpool2d %x {kernel = [2, 2]} : (tensor<?x3x8x8xf32>) -> tensor<?x3x8x8xf32>
  return
}
