// One dense layer, the smallest study cpq-tune can run (tests/tune): its
// schedule space is the contraction's tile knobs (it is computed in the
// function's output: no copy).
func @one_dense(%x: tensor<?x96xf32>) -> tensor<?x40xf32> {
  %w = cpq.param "fc.weight" {init = "glorot_uniform"} : tensor<40x96xf32>
  %b = cpq.param "fc.bias" {init = "zeros"} : tensor<40xf32>
  %y = cpq.dense %x, %w, %b : (tensor<?x96xf32>, tensor<40x96xf32>, tensor<40xf32>) -> tensor<?x40xf32>
  return %y : tensor<?x40xf32>
}
