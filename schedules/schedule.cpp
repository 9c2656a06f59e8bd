//===- schedule.cpp - schedules of lowered cpq functions, by target family --===//
#include "schedules/schedule.h"

#include "schedules/gpu/gpu.h"
#include "schedules/x86/x86.h"

#include <algorithm>
#include <map>
#include <stdexcept>

namespace cpq::schedules {

using namespace Halide;

TargetFamily target_family(const Target &target) {
  if (target.has_feature(Target::OpenCL) || target.has_feature(Target::CUDA)) return TargetFamily::GPU;
  if (target.has_gpu_feature())
    throw std::invalid_argument("no hand schedules for the GPU API of " + target.to_string() +
                                " (the GPU family covers opencl and cuda)");
  if (target.arch == Target::X86) return TargetFamily::X86;
  throw std::invalid_argument("no hand schedules for the target " + target.to_string() +
                              " (the families are: x86, gpu); use an autoscheduler, or add a family under schedules/");
}

void schedule_by_hand(const std::vector<ScheduleStage> &stages, const std::vector<Func> &outputs,
                      const Target &target) {
  Choices hand;
  schedule_with(stages, outputs, target, hand);
}

void schedule_with(const std::vector<ScheduleStage> &stages, const std::vector<Func> &outputs,
                   const Target &target, Choices &choices) {
  switch (target_family(target)) {
  case TargetFamily::X86: return x86::schedule_network(stages, outputs, target, choices);
  case TargetFamily::GPU: return gpu::schedule_network(stages, outputs, target, choices);
  }
}

Space schedule_space(const std::vector<ScheduleStage> &stages, const std::vector<Func> &outputs,
                     const Target &target) {
  Choices hand;
  schedule_with(stages, outputs, target, hand);
  return hand.space();
}

bool is_schedule_file(const std::string &schedule) {
  if (schedule == "hand") return false;
  const auto &names = autoscheduler_names();
  return std::find(names.begin(), names.end(), schedule) == names.end();
}

void apply_schedule(Pipeline &pipeline, const std::vector<ScheduleStage> &stages, const std::vector<Func> &outputs,
                    const Target &target, const std::string &schedule, bool partial) {
  if (schedule == "hand") return schedule_by_hand(stages, outputs, target);
  if (!is_schedule_file(schedule)) return autoschedule(pipeline, schedule, target);
  Point point;
  std::string family, function, error;
  if (!read_point(schedule, point, family, function, error)) throw std::invalid_argument(error);
  Choices choices(point);
  try {
    schedule_with(stages, outputs, target, choices);
  } catch (const std::invalid_argument &e) {
    throw std::invalid_argument(schedule + ": " + e.what());
  }
  if (!family.empty() && family != choices.space().family)
    throw std::invalid_argument(schedule + ": a schedule of the " + family + " family, and the target " +
                                target.to_string() + " is scheduled by the " + choices.space().family + " family");
  const std::vector<std::string> unused = choices.unused();
  if (!unused.empty() && !partial) {
    std::string names;
    for (const std::string &u : unused) names += (names.empty() ? "" : ", ") + u;
    throw std::invalid_argument(schedule + ": " + names + ": no such stage or knob in this function" +
                                (function.empty() ? std::string() : " (the file is a schedule of '" + function + "')") +
                                "; `cpq-tune --list-space` lists them");
  }
}

void schedule_quantize_forward(const QuantizeLoops &q, const Target &target) {
  switch (target_family(target)) {
  case TargetFamily::X86: return x86::schedule_quantize_forward(q, target);
  case TargetFamily::GPU: {
    Choices hand;
    hand.stage(Func(q.x_hat).name(), "quantize");
    return gpu::schedule_quantize_forward(q, target, hand);
  }
  }
}

void schedule_quantize_backward(const QuantizeLoops &q, const Target &target) {
  switch (target_family(target)) {
  case TargetFamily::X86: return x86::schedule_quantize_backward(q, target);
  case TargetFamily::GPU: {
    Choices hand;
    hand.stage(Func(q.grad_x).name(), "quantize_grad");
    return gpu::schedule_quantize_backward(q, target, hand);
  }
  }
}

const std::vector<std::string> &autoscheduler_names() {
  static const std::vector<std::string> names = {"Adams2019", "Li2018", "Mullapudi2016"};
  return names;
}

void autoschedule(Pipeline &pipeline, const std::string &name, const Target &target, int threads) {
  static const std::map<std::string, std::string> plugins = {
      {"Adams2019", CPQ_AUTOSCHEDULE_ADAMS2019},
      {"Li2018", CPQ_AUTOSCHEDULE_LI2018},
      {"Mullapudi2016", CPQ_AUTOSCHEDULE_MULLAPUDI2016},
  };
  auto it = plugins.find(name);
  if (it == plugins.end())
    throw std::invalid_argument("unknown autoscheduler '" + name + "' (expected Adams2019, Li2018 or Mullapudi2016)");
  static std::map<std::string, bool> loaded;
  if (!loaded[name]) {
    load_plugin(it->second);
    loaded[name] = true;
  }
  MachineParams machine(threads, 32 * 1024 * 1024, 40);
  pipeline.auto_schedule(name, target, machine);
  if (name == "Adams2019") store_where_computed(pipeline);
}

std::map<std::string, Internal::Function> pipeline_functions(const Pipeline &pipeline) {
  std::map<std::string, Internal::Function> env;
  for (const Func &o : pipeline.outputs()) {
    env.emplace(o.name(), o.function());
    for (auto &kv : Internal::find_transitive_calls(o.function())) env.insert(kv);
  }
  return env;
}

int store_where_computed(Pipeline &pipeline) {
  // Halide 14 miscompiles a producer stored at an outer loop but computed
  // inside a consumer's reduction loop (the sliding-window pass,
  // halide/Halide#7872, fixed in Halide 17): Adams2019 schedules LeNet-5's
  // train_step so (add_4.store_at(sum$11, n).compute_at(sum$11,
  // avgpool2d_5_r$x)) and some results were off by up to 1e25. Storing
  // every Func where it is computed gives up sliding-window reuse, and the
  // values are right (within 6e-8 of the hand schedule's).
  int moved = 0;
  for (auto &kv : pipeline_functions(pipeline)) {
    Internal::Function f = kv.second;
    if (f.has_extern_definition()) continue;
    LoopLevel store = f.schedule().store_level(), compute = f.schedule().compute_level();
    store.lock();
    compute.lock();
    if (compute.is_inlined() || store == compute) continue;
    f.schedule().store_level() = f.schedule().compute_level();
    ++moved;
  }
  return moved;
}

} // namespace cpq::schedules
