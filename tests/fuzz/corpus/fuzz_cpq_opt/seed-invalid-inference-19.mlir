func @decode_alpha_per_channel(%q: tensor<?x4xui8>, %a: tensor<4xf32>) {
  // expected-error @+1 {{alpha must have one entry (activations are quantized per tensor)}}
  %r = cpq.decode %q, %a {grid = "unsigned", bits = 2} : (tensor<?x4xui8>, tensor<4xf32>) -> tensor<?x4xf32>
  return
}
