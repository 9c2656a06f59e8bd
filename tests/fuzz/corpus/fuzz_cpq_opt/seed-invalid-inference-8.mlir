func @encode_alpha_per_channel(%x: tensor<?x3xf32>, %a: tensor<3xf32>) {
  // expected-error @+1 {{alpha must have one entry (activations are quantized per tensor)}}
  %q = cpq.encode %x, %a {grid = "unsigned", bits = 4} : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xui8>
  return
}
