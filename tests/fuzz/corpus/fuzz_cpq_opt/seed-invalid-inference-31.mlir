func @pack_weight_scalar(%w: tensor<f32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{weight needs an output-channel axis 0, got a scalar}}
  %r = cpq.pack %w, %a {grid = "signed", bits = 2} : (tensor<f32>, tensor<1xf32>) -> tensor<1x1xui8>
  return
}
