func @pack_alpha_size_mismatch(%w: tensor<4x3x3x3xf32>, %a: tensor<3xf32>) {
  // expected-error @+1 {{alpha has 3 entries; expected 1 or one per output channel (4)}}
  %p = cpq.pack %w, %a {grid = "signed", bits = 2} : (tensor<4x3x3x3xf32>, tensor<3xf32>) -> tensor<4x7xui8>
  return
}
