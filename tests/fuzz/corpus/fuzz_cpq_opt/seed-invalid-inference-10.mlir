func @encode_result_type_mismatch(%x: tensor<?x3xf32>, %a: tensor<1xf32>) {
  // expected-error @+1 {{inferred type(s) 'tensor<?x3xui8>' are incompatible with return type(s) of operation 'tensor<?x3xsi8>'}}
  %q = cpq.encode %x, %a {grid = "unsigned", bits = 4} : (tensor<?x3xf32>, tensor<1xf32>) -> tensor<?x3xsi8>
  return
}
