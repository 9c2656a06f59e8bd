func @decode_symmetric_8_bits(%q: tensor<?x4xsi8>, %a: tensor<1xf32>) {
  // expected-error @+1 {{8-bit symmetric levels (odd integers up to 255) do not fit in si8 codes}}
  %r = cpq.decode %q, %a {grid = "symmetric", bits = 8} : (tensor<?x4xsi8>, tensor<1xf32>) -> tensor<?x4xf32>
  return
}
