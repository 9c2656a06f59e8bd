//===- contraction.h - the loops of a convolution or dense stage --*- C++ -*-===//
//
// This file declares what the hand schedules need to know about the
// contractions (conv2d and its gradients, dense and its gradients): the
// builders compute each into an accumulator whose first axis is the one to
// vectorize (output channels, or the contiguous input axis) and whose second
// is the one to hold in registers, from operands copied ("relaid out") so
// that they are contiguous along the vector axis; the op's result is a copy
// of the accumulator in the dialect's layout.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <Halide.h>

#include <vector>

namespace cpq::schedules {

/// An operand copied to another axis order: copy(...) = source(permuted).
struct Relayout {
  Halide::Func copy, source;
  /// Edge of the square blocks a transposing schedule moves through
  /// registers (copy's first two axes are both at least this long, and
  /// source's first axis is one of them), 0 for a plain vectorized copy.
  int block = 0;
};

struct ContractionLoops {
  /// acc(vector axis, register axis, other axes...), pure init and one
  /// update over the reduction.
  Halide::Func acc;
  /// Operands copied to a layout contiguous along acc's vector axis.
  std::vector<Relayout> relayouts;
  /// The extents of acc's first two axes (the second may be the dynamic batch).
  int vector_extent = 0;
  Halide::Expr register_extent;
  /// The result's extents, Halide order (the batch is an Expr, the rest
  /// constants).
  std::vector<Halide::Expr> result_extents;
};

} // namespace cpq::schedules
