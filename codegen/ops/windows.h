//===- windows.h - helpers the layer builders share ---------------*- C++ -*-===//
//
// Internal to codegen/ops: padding, window extents and the result of a
// contraction (the float builders of contractions.cpp and layers.cpp, the
// packed ones of packed.cpp).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "codegen/ops/layers.h"

#include <Halide.h>

#include <cstdint>
#include <string>
#include <vector>

namespace cpq::codegen {

/// x with `value` outside its MLIR-order shape.
Halide::Func padded(const TensorValue &x, const Halide::Expr &value);
/// x itself when the window never leaves it, else x with zeros (of x's
/// type) outside.
Halide::Func zero_padded(const TensorValue &x, const Window2d &win);
/// Output positions of a window of `k` at stride `s` over `in` padded by `p`.
Halide::Expr window_extent(const Halide::Expr &in, int k, int s, int p);
/// The result `name` (Halide args `args`, of `type`) in the dialect's
/// layout, a copy of the accumulator, with the loops the contraction
/// schedule needs.
TensorValue contraction_result(const std::string &name, const std::vector<Halide::Var> &args, const Halide::Func &acc,
                               const std::vector<Halide::Expr> &acc_args, std::vector<Halide::Expr> shape,
                               std::vector<schedules::Relayout> relayouts, int64_t vector_extent,
                               Halide::Expr register_extent, Halide::Type type = Halide::Float(32));

} // namespace cpq::codegen
