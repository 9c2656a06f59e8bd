//===- x86.h - the x86 family of hand schedules --------------------*- C++ -*-===//
//
// Hand schedules for x86 CPUs (SSE4.1 to AVX-512), with knobs the tuner
// turns (space.h): network.cpp schedules a whole lowered function per op family
// (contraction.cpp the convolutions and dense layers), quantize.cpp the
// quantizer's pipelines. Reached through schedules/schedule.h.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "schedules/space.h"
#include "schedules/stages.h"

#include <Halide.h>

#include <vector>

namespace cpq::schedules::x86 {

/// Schedules every stage, asking `choices` for each knob (space.h): the
/// hand schedule is the point that leaves every knob at its hand value.
void schedule_network(const std::vector<ScheduleStage> &stages, const std::vector<Halide::Func> &outputs,
                      const Halide::Target &target, Choices &choices);
/// The quantizer's pipelines, their knobs asked of `choices` (the current
/// stage); with `may_inline`, x_hat may be fused into its consumers.
void schedule_quantize_forward(const QuantizeLoops &q, const Halide::Target &target, Choices &choices,
                               bool may_inline);
/// With `grad_x_inline`, dL/dx is not copied out of the per-element
/// gradients' buffer: its consumers read that buffer.
void schedule_quantize_backward(const QuantizeLoops &q, const Halide::Target &target, Choices &choices,
                                bool grad_x_inline);
/// The same at the hand values (the quantizer's own generators and tests).
void schedule_quantize_forward(const QuantizeLoops &q, const Halide::Target &target);
void schedule_quantize_backward(const QuantizeLoops &q, const Halide::Target &target);

} // namespace cpq::schedules::x86
