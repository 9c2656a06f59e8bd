func @unbound(%x: tensor<?x4xf32>) -> tensor<?x2xf32> {
  // expected-error @+1 {{parameter "w" has no trained value; bind them with --cpq-bind-params=file=<parameters.safetensors>}}
  %w = cpq.param "w" {init = "he_normal"} : tensor<2x4xf32>
  %y = cpq.dense %x, %w : (tensor<?x4xf32>, tensor<2x4xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}
