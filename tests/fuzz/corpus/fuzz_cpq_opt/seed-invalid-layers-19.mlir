func @conv2d_result_type_mismatch(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{inferred type(s) 'tensor<?x4x6x6xf32>' are incompatible with return type(s) of operation 'tensor<?x4x8x8xf32>'}}
  %y = cpq.conv2d %x, %w : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<?x4x8x8xf32>
  return
}
