func @pack_bits_above_8(%w: tensor<4x3x3x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{bits must be in 1..8, got 9}}
  %r = cpq.pack %w, %a {grid = "signed", bits = 9} : (tensor<4x3x3x3xf32>, tensor<1xf32>) -> tensor<4x7xui8>
  return
}
