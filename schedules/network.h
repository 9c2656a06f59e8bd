//===- network.h - hand schedules of a lowered cpq function ------*- C++ -*-===//
//
// This file declares how a whole function of the cpq dialect, lowered to
// Halide by codegen/lower, is scheduled: per op family by hand for x86
// (vectorized at the target's natural width, parallel across cores, what is
// computed at root vs inlined), or by one of Halide's autoschedulers
// (Adams2019, Li2018, Mullapudi2016) for the whole pipeline. The lowering
// records the Funcs of every op as ScheduleStages; a schedule per target
// reads only these, so GPU schedules can sit beside the CPU ones without
// touching the op builders.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "schedules/contraction.h"
#include "schedules/quantize.h"

#include <Halide.h>

#include <optional>
#include <string>
#include <vector>

namespace cpq::schedules {

/// The Funcs one op made: `family` names the op kind ("conv2d",
/// "conv2d_grad_filter", "quantize_grad", "elementwise", ...), `funcs` its
/// results, `helpers` the intermediate stages it defined (statistics,
/// argmax), `quantize` the loops of a quantizer stage, `contraction` those
/// of a convolution or dense stage.
struct ScheduleStage {
  std::string family;
  std::vector<Halide::Func> funcs, helpers;
  std::optional<QuantizeLoops> quantize;
  std::optional<ContractionLoops> contraction;
  std::optional<ExternGemmLoops> extern_gemm = std::nullopt;
  /// NCHW results computed and stored channels innermost (see TensorValue).
  bool channels_last = false;
};

/// Hand schedule of every stage and of the pipeline's outputs.
void schedule_by_hand(const std::vector<ScheduleStage> &stages, const std::vector<Halide::Func> &outputs,
                      const Halide::Target &target);

/// The autoschedulers this build can load, by the names cpq-compile takes.
const std::vector<std::string> &autoscheduler_names();

/// Schedules `pipeline` with the named autoscheduler (the estimates must be
/// set); throws std::invalid_argument for an unknown name or a plugin that
/// does not load.
void autoschedule(Halide::Pipeline &pipeline, const std::string &name, const Halide::Target &target,
                  int threads = 2);

} // namespace cpq::schedules
