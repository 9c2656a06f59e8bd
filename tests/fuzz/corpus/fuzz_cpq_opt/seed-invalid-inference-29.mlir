func @pack_alpha_dynamic(%w: tensor<4x3xf32>, %a: tensor<?xf32>) {
  // expected-error @+1 {{alpha needs a static shape}}
  %p = cpq.pack %w, %a {grid = "signed", bits = 2} : (tensor<4x3xf32>, tensor<?xf32>) -> tensor<4x1xui8>
  return
}
