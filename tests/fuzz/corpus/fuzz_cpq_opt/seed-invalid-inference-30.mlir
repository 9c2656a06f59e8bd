func @pack_weight_dynamic(%w: tensor<?x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{weight needs a static shape}}
  %p = cpq.pack %w, %a {grid = "signed", bits = 2} : (tensor<?x3xf32>, tensor<1xf32>) -> tensor<?x1xui8>
  return
}
