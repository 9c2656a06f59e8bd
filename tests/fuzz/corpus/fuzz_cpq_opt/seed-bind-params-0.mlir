// --cpq-bind-params reads trained values from a safetensors file written by
// an independent writer (Inputs/write_safetensors.py).

func @net(%x: tensor<?x3xf32>) -> tensor<?x2xf32> {
  %w = cpq.param "w" {init = "he_normal"} : tensor<2x3xf32>
  %b = cpq.param "b" {init = "zeros"} : tensor<2xf32>
  %y = cpq.dense %x, %w, %b : (tensor<?x3xf32>, tensor<2x3xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}
// MISSING: error: 'cpq.param' op parameter "b" is not in {{.*}}.partial
// SHAPE: error: 'cpq.param' op parameter "w" has shape [3, 2] in {{.*}}.shape but [2, 3] in the network
// DTYPE: error: 'cpq.param' op parameter "w" is F64 in {{.*}}.dtype; it needs F32
// CUT: error: {{.*}}.cut: tensor "b" data [24, 32) lies outside the 24 data bytes: truncated?
// NOFILE: error: {{.*}}.nonexistent: cannot open: No such file or directory
// NOOPTION: error: cpq-bind-params needs file=<parameters.safetensors>
