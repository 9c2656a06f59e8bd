//===- schedule.h - schedules of lowered cpq functions, by target family -*- C++ -*-===//
//
// This file declares how a lowered cpq function (its ScheduleStages,
// stages.h) and the quantizer's own pipelines are scheduled: by hand, by
// the target's family (x86/: vectorized at the target's natural width,
// parallel across cores, what is computed at root vs inlined; gpu/: kernels
// of blocks of threads for OpenCL and CUDA; a family is a folder and a case
// in schedule.cpp), or by
// one of Halide's autoschedulers (Adams2019, Li2018, Mullapudi2016) for the
// whole pipeline.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "schedules/space.h"
#include "schedules/stages.h"

#include <Halide.h>

#include <map>
#include <string>
#include <vector>

namespace cpq::schedules {

/// The families of hand schedules: x86 CPUs, and Halide's OpenCL and CUDA
/// GPU targets.
enum class TargetFamily { X86, GPU };

/// The family of hand schedules for `target`; throws std::invalid_argument
/// naming the target when there is none (other CPUs, other GPU APIs).
TargetFamily target_family(const Halide::Target &target);

/// Hand schedule of every stage and of the pipeline's outputs.
void schedule_by_hand(const std::vector<ScheduleStage> &stages, const std::vector<Halide::Func> &outputs,
                      const Halide::Target &target);

/// The target family's schedule of every stage at the point `choices`
/// holds (space.h); `choices` records the space as it goes. Throws
/// std::invalid_argument for a value a knob does not take.
void schedule_with(const std::vector<ScheduleStage> &stages, const std::vector<Halide::Func> &outputs,
                   const Halide::Target &target, Choices &choices);

/// The schedule space of a lowered function on `target` (scheduling its
/// Funcs as a side effect: use a lowering made for this).
Space schedule_space(const std::vector<ScheduleStage> &stages, const std::vector<Halide::Func> &outputs,
                     const Halide::Target &target);

/// Schedules by `schedule`: "hand", an autoscheduler's name, or the path of
/// a schedule file (space.h), whose stages and knobs must all exist in this
/// function unless `partial` (a train_step's file applied to its
/// eval_step). Throws std::invalid_argument with a message naming the file.
void apply_schedule(Halide::Pipeline &pipeline, const std::vector<ScheduleStage> &stages,
                    const std::vector<Halide::Func> &outputs, const Halide::Target &target,
                    const std::string &schedule, bool partial = false);

/// True when `schedule` names a schedule file rather than "hand" or an
/// autoscheduler.
bool is_schedule_file(const std::string &schedule);

/// Hand schedules of the quantizer's pipelines (codegen/ops/quantize.h).
void schedule_quantize_forward(const QuantizeLoops &q, const Halide::Target &target);
void schedule_quantize_backward(const QuantizeLoops &q, const Halide::Target &target);

/// The autoschedulers this build can load, by the names cpq-compile takes.
const std::vector<std::string> &autoscheduler_names();

/// Schedules `pipeline` with the named autoscheduler (the estimates must be
/// set); throws std::invalid_argument for an unknown name or a plugin that
/// does not load.
void autoschedule(Halide::Pipeline &pipeline, const std::string &name, const Halide::Target &target,
                  int threads = 2);

/// Every Function `pipeline` computes (its outputs and all they call,
/// transitively), by name.
std::map<std::string, Halide::Internal::Function> pipeline_functions(const Halide::Pipeline &pipeline);

/// Stores every Func of `pipeline` at the loop level where it is computed
/// (no sliding windows); returns how many it moved. Applied after
/// Adams2019, whose sliding windows inside reduction loops Halide 14
/// miscompiles (schedule.cpp).
int store_where_computed(Halide::Pipeline &pipeline);

} // namespace cpq::schedules
