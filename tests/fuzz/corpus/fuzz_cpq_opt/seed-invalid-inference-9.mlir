func @encode_symmetric_8_bits(%x: tensor<?x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{8-bit symmetric levels (odd integers up to 255) do not fit in si8 codes}}
  %q = cpq.encode %x, %a {grid = "symmetric", bits = 8} : (tensor<?x3xf32>, tensor<1xf32>) -> tensor<?x3xsi8>
  return
}
