// --cpq-bind-params reads trained values from a safetensors file written by
// an independent writer (Inputs/write_safetensors.py).
// RUN: %python %S/Inputs/write_safetensors.py %t.good '{"w": [[2, 3], [1, 2, 3, 4, 5, 6]], "b": [[2], [0.5, -0.5]], "w.adam_m": [[2, 3], [0, 0, 0, 0, 0, 0]]}'
// RUN: cpq-opt %s --cpq-bind-params=file=%t.good | FileCheck %s
// RUN: %python %S/Inputs/write_safetensors.py %t.partial '{"w": [[2, 3], [1, 2, 3, 4, 5, 6]]}'
// RUN: not cpq-opt %s --cpq-bind-params=file=%t.partial 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: %python %S/Inputs/write_safetensors.py %t.shape '{"w": [[3, 2], [1, 2, 3, 4, 5, 6]], "b": [[2], [0, 0]]}'
// RUN: not cpq-opt %s --cpq-bind-params=file=%t.shape 2>&1 | FileCheck %s --check-prefix=SHAPE
// RUN: %python %S/Inputs/write_safetensors.py %t.dtype '{"w": [[2, 3], [1, 2, 3, 4, 5, 6]], "b": [[2], [0, 0]]}' w=F64
// RUN: not cpq-opt %s --cpq-bind-params=file=%t.dtype 2>&1 | FileCheck %s --check-prefix=DTYPE
// RUN: %python %S/Inputs/write_safetensors.py %t.cut '{"w": [[2, 3], [1, 2, 3, 4, 5, 6]], "b": [[2], [0, 0]]}' --truncate=160
// RUN: not cpq-opt %s --cpq-bind-params=file=%t.cut 2>&1 | FileCheck %s --check-prefix=CUT
// RUN: not cpq-opt %s --cpq-bind-params=file=%t.nonexistent 2>&1 | FileCheck %s --check-prefix=NOFILE
// RUN: not cpq-opt %s --cpq-bind-params 2>&1 | FileCheck %s --check-prefix=NOOPTION

func @net(%x: tensor<?x3xf32>) -> tensor<?x2xf32> {
  %w = cpq.param "w" {init = "he_normal"} : tensor<2x3xf32>
  %b = cpq.param "b" {init = "zeros"} : tensor<2xf32>
  %y = cpq.dense %x, %w, %b : (tensor<?x3xf32>, tensor<2x3xf32>, tensor<2xf32>) -> tensor<?x2xf32>
  return %y : tensor<?x2xf32>
}
// CHECK: cpq.param "w" {init = "constant", value = dense<{{\[\[}}1.000000e+00, 2.000000e+00, 3.000000e+00], [4.000000e+00, 5.000000e+00, 6.000000e+00]]> : tensor<2x3xf32>} : tensor<2x3xf32>
// CHECK: cpq.param "b" {init = "constant", value = dense<[5.000000e-01, -5.000000e-01]> : tensor<2xf32>} : tensor<2xf32>
// MISSING: error: 'cpq.param' op parameter "b" is not in {{.*}}.partial
// SHAPE: error: 'cpq.param' op parameter "w" has shape [3, 2] in {{.*}}.shape but [2, 3] in the network
// DTYPE: error: 'cpq.param' op parameter "w" is F64 in {{.*}}.dtype; it needs F32
// CUT: error: {{.*}}.cut: tensor "b" data [24, 32) lies outside the 24 data bytes: truncated?
// NOFILE: error: {{.*}}.nonexistent: cannot open (No such file or directory)
// NOOPTION: error: cpq-bind-params needs file=<parameters.safetensors>
