func @encode_alpha_rank(%x: tensor<?x3xf32>, %a: tensor<1x1xf32>) {
  // expected-error @+1 {{alpha must have rank 1, got [1, 1]}}
  %r = cpq.encode %x, %a {grid = "unsigned", bits = 4} : (tensor<?x3xf32>, tensor<1x1xf32>) -> tensor<?x3xui8>
  return
}
