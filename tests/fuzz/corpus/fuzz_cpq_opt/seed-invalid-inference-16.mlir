func @decode_alpha_rank(%q: tensor<?x4xui8>, %a: tensor<f32>) {
  // expected-error @+1 {{alpha must have rank 1, got []}}
  %r = cpq.decode %q, %a {grid = "unsigned", bits = 2} : (tensor<?x4xui8>, tensor<f32>) -> tensor<?x4xf32>
  return
}
