//===- loops.h - loop shapes the x86 schedules share -----------*- C++ -*-===//
//
// Internal to schedules/x86: the root loops every element-wise stage takes
// (network.cpp) and the contractions' blocks (contraction.cpp), which copy
// their operands with the former.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "schedules/space.h"
#include "schedules/stages.h"

#include <Halide.h>

#include <cstdint>
#include <string>

namespace cpq::schedules::x86 {

/// The loops root_vectorized gave a Halide::Func: Halide::Funcs of equal loops can share
/// them (compute_with).
struct RootLoops {
  int vector_width = 0, pure_vector_width = 0;
  bool parallel = false, shift_inwards = false;
  bool operator==(const RootLoops &o) const {
    return vector_width == o.vector_width && pure_vector_width == o.pure_vector_width && parallel == o.parallel &&
           shift_inwards == o.shift_inwards;
  }
};

/// compute_root, vectorize the innermost pure axis, parallel over the
/// outermost; the same for every update that keeps those axes pure. Knobs:
/// vector_width (half, the natural, twice the natural), parallel (0: serial),
/// and, when `may_inline`, inline (1: computed inline in its consumers, no
/// buffer; `inline_by_default` its hand value). Returns whether `f` was
/// inlined. With `inner_extent` (static, else 0) not a whole number of
/// vectors, the pure definition's vectors are narrowed to at most the extent
/// and the last one shifted inwards, so that no load or store is masked (a
/// pool's stride-2 loads under a mask became gathers: LeNet-5's 12-wide
/// rows); updates keep the guarded tail, since recomputing would add twice.
/// `loops`, when given, receives the loops chosen.
bool root_vectorized(Halide::Func f, const Halide::Target &target, Choices &c, bool may_inline = false,
                     bool inline_by_default = false, int64_t inner_extent = 0, RootLoops *loops = nullptr);

/// A contraction (ContractionLoops, stages.h): see contraction.cpp. Asks its
/// knobs of `choices` under the stage of `out`, family `family`.
void contraction(Halide::Func out, const ContractionLoops &c, const Halide::Target &target, Choices &choices,
                 const std::string &family);

} // namespace cpq::schedules::x86
