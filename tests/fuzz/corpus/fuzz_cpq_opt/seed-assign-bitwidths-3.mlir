// Gates without trained values cannot be read.
func @unbound(%x: tensor<8xf32>) -> tensor<8xf32> {
  %a = cpq.param "a" {init = "constant", value = dense<[0.25]> : tensor<1xf32>} : tensor<1xf32>
  %g = cpq.param "g" {init = "zeros"} : tensor<2xf32>
  // expected-error @+1 {{gate_logits must be a cpq.param with trained values; bind them with --cpq-bind-params=file=<parameters.safetensors>}}
  %q = cpq.quantize %x, %a, %a, %g {grid = "signed", bits = 3} : (tensor<8xf32>, tensor<1xf32>, tensor<1xf32>, tensor<2xf32>) -> tensor<8xf32>
  return %q : tensor<8xf32>
}
