func @decode_bits_missing(%q: tensor<?x4xui8>, %a: tensor<1xf32>) {
  // expected-error @+1 {{requires attribute 'bits'}}
  %r = cpq.decode %q, %a {grid = "unsigned"} : (tensor<?x4xui8>, tensor<1xf32>) -> tensor<?x4xf32>
  return
}
