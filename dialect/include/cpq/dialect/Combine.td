//===- Combine.td - canonicalization patterns of cpq ops ---*- tablegen -*-===//
//
// Algebraic simplifications, each identity written above its pattern.
//
//===----------------------------------------------------------------------===//
#ifndef CPQ_COMBINE_TD
#define CPQ_COMBINE_TD

include "cpq/dialect/CpqOps.td"

// relu(relu(x)) = relu(x); relu_grad agrees, since relu(x) > 0 iff x > 0.
def ReluOfRelu : Pat<(Cpq_ReluOp (Cpq_ReluOp $x)), (Cpq_ReluOp $x)>;

// flatten(flatten(x)) = flatten(x): the second sees an N x F tensor.
def FlattenOfFlatten : Pat<(Cpq_FlattenOp (Cpq_FlattenOp:$inner $x)), (replaceWithValue $inner)>;

// quantize(quantize(x, a, s), a, s) = quantize(x, a, s) with the same grid,
// bits and axis, and no gates: grid points round to themselves (section 2),
// and the evaluation form draws nothing.
def NoGateLogits : Constraint<CPred<"$0.empty()">, "has no gate logits">;
def SameAttr : Constraint<CPred<"$0 == $1">, "the same attribute">;
def QuantizeOfQuantize : Pat<
  (Cpq_QuantizeOp (Cpq_QuantizeOp:$inner $x, $alpha, $sigma, $gates, $grid, $bits, $axis, $p, $mode, $lambda),
     $alpha, $sigma, $outer_gates, $grid2, $bits2, $axis2, $p2, $mode2, $lambda2),
  (replaceWithValue $inner),
  [(NoGateLogits $gates), (NoGateLogits $outer_gates),
   (SameAttr $grid, $grid2), (SameAttr $bits, $bits2), (SameAttr $axis, $axis2)]>;

#endif // CPQ_COMBINE_TD
