//===- x86.h - the x86 family of hand schedules --------------------*- C++ -*-===//
//
// Hand schedules for x86 CPUs (SSE4.1 to AVX-512): network.cpp schedules a
// whole lowered function per op family, quantize.cpp the quantizer's
// pipelines. Reached through schedules/schedule.h.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "schedules/stages.h"

#include <Halide.h>

#include <vector>

namespace cpq::schedules::x86 {

void schedule_network(const std::vector<ScheduleStage> &stages, const std::vector<Halide::Func> &outputs,
                      const Halide::Target &target);
void schedule_quantize_forward(const QuantizeLoops &q, const Halide::Target &target);
void schedule_quantize_backward(const QuantizeLoops &q, const Halide::Target &target);

} // namespace cpq::schedules::x86
