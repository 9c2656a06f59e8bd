func @decode_codes_type_mismatch(%q: tensor<?x4xsi8>, %a: tensor<1xf32>) {
  // expected-error @+1 {{codes are si8 but levels of the unsigned grid are ui8}}
  %y = cpq.decode %q, %a {grid = "unsigned", bits = 2} : (tensor<?x4xsi8>, tensor<1xf32>) -> tensor<?x4xf32>
  return
}
