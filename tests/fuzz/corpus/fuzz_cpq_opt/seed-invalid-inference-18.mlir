func @decode_bits_below_1(%q: tensor<?x4xui8>, %a: tensor<1xf32>) {
  // expected-error @+1 {{bits must be in 1..8, got 0}}
  %r = cpq.decode %q, %a {grid = "unsigned", bits = 0} : (tensor<?x4xui8>, tensor<1xf32>) -> tensor<?x4xf32>
  return
}
