func @encode_alpha_not_f32(%x: tensor<?x3xf32>, %a: tensor<1xf16>) {
  // expected-error @+1 {{alpha must hold float32 values, got f16}}
  %r = cpq.encode %x, %a {grid = "unsigned", bits = 4} : (tensor<?x3xf32>, tensor<1xf16>) -> tensor<?x3xui8>
  return
}
