func @conv2d_bias_size_mismatch(%x: tensor<?x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<5xf32>) {
  // expected-error @+1 {{bias has shape [5], expected [4]}}
  %y = cpq.conv2d %x, %w, %b : (tensor<?x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<5xf32>) -> tensor<?x4x6x6xf32>
  return
}
