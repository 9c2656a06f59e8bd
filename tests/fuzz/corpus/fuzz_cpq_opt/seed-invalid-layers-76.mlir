// cpq.add: operand types and shapes.

func @add_operand_types_differ(%a: tensor<?x3x8x8xf32>, %b: tensor<?x3x4x4xf32>) {
  // expected-error @+1 {{requires the same type for all operands and results}}
  %y = "cpq.add"(%a, %b) : (tensor<?x3x8x8xf32>, tensor<?x3x4x4xf32>) -> tensor<?x3x8x8xf32>
  return
}
