func @encode_bits_missing(%x: tensor<?x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{requires attribute 'bits'}}
  %r = cpq.encode %x, %a {grid = "unsigned"} : (tensor<?x3xf32>, tensor<1xf32>) -> tensor<?x3xui8>
  return
}
