// Two parameters whose names become one C identifier ("a.b" and "a_b").
func @colliding(%x: tensor<?x3xf32>) -> tensor<?x3xf32> {
  %w = cpq.param "a.b" {init = "he_normal"} : tensor<3x3xf32>
  %b = cpq.param "a_b" {init = "zeros"} : tensor<3xf32>
  %y = cpq.dense %x, %w, %b : (tensor<?x3xf32>, tensor<3x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}
