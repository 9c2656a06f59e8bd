func @decode_alpha_not_f32(%q: tensor<?x4xui8>, %a: tensor<1xf64>) {
  // expected-error @+1 {{alpha must hold float32 values, got f64}}
  %r = cpq.decode %q, %a {grid = "unsigned", bits = 2} : (tensor<?x4xui8>, tensor<1xf64>) -> tensor<?x4xf32>
  return
}
