//===- quantize.h - hand schedules of the quantize op -------------*- C++ -*-===//
//
// This file declares the hand schedules of the quantizer pipelines built by
// codegen/ops/quantize.h: vectorised at the target's natural width, parallel
// over chunks of the tensor, the per-channel reductions split with rfactor so
// that threads sum disjoint chunks and no two write the same sum.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <Halide.h>

#include <vector>

namespace cpq::schedules {

/// The Funcs and dimensions of a quantizer pipeline that the schedules touch.
struct QuantizeLoops {
  Halide::Var i, c, n;
  Halide::Func x_hat;                     // forward output
  std::vector<Halide::Func> tables;       // per-call survivor tables (independent masks)
  Halide::Func element;                   // backward, per element
  std::vector<Halide::Func> edge_sums;    // per element, one per (sub-)grid
  std::vector<Halide::Func> element_helpers; // per element, read by the edge loops
  Halide::Func grad_x, channel_sums, grad_alpha, grad_sigma;
  Halide::RDom over_elements;
  Halide::Func gate_sums;                 // gated only
};

/// Elements of the innermost dimension one thread takes at a time.
inline constexpr int kChunk = 8192;

void schedule_quantize_forward(const QuantizeLoops &q, const Halide::Target &target);
void schedule_quantize_backward(const QuantizeLoops &q, const Halide::Target &target);

} // namespace cpq::schedules
