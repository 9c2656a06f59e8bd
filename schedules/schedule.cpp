//===- schedule.cpp - schedules of lowered cpq functions, by target family --===//
#include "schedules/schedule.h"

#include "schedules/x86/x86.h"

#include <map>
#include <stdexcept>

namespace cpq::schedules {

using namespace Halide;

TargetFamily target_family(const Target &target) {
  if (target.has_gpu_feature())
    throw std::invalid_argument("no hand schedules for GPU targets yet (" + target.to_string() +
                                "); the families are: x86");
  if (target.arch == Target::X86) return TargetFamily::X86;
  throw std::invalid_argument("no hand schedules for the target " + target.to_string() +
                              " (the families are: x86); use an autoscheduler, or add a family under schedules/");
}

void schedule_by_hand(const std::vector<ScheduleStage> &stages, const std::vector<Func> &outputs,
                      const Target &target) {
  switch (target_family(target)) {
  case TargetFamily::X86: return x86::schedule_network(stages, outputs, target);
  }
}

void schedule_quantize_forward(const QuantizeLoops &q, const Target &target) {
  switch (target_family(target)) {
  case TargetFamily::X86: return x86::schedule_quantize_forward(q, target);
  }
}

void schedule_quantize_backward(const QuantizeLoops &q, const Target &target) {
  switch (target_family(target)) {
  case TargetFamily::X86: return x86::schedule_quantize_backward(q, target);
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
}

} // namespace cpq::schedules
