//===- network.cpp - hand schedules of a lowered cpq function ---------------===//
//
// This file implements the x86 hand schedule of a whole lowered function,
// per op family, and the autoscheduler entry point.
//
// Every op's result is computed at root (the pipelines are DAGs of layers;
// fusing across layers is the autoschedulers' business), vectorized along
// its innermost axis at the target's natural width and parallel over its
// outermost axis. Convolutions and dense layers keep their reduction inside
// the vector loop so each lane accumulates its own output; statistics
// (batch-norm moments, softmax rows, max-pool argmax) are computed once at
// root instead of inline. Quantizer stages use schedules/quantize.h.
//
//===----------------------------------------------------------------------===//
#include "schedules/network.h"

#include <map>
#include <stdexcept>

namespace cpq::schedules {

using namespace Halide;

namespace {

int vector_width(const Func &f, const Target &target) {
  const Type t = f.defined() ? f.output_types()[0] : Float(32);
  return std::max(1, target.natural_vector_size(t));
}

/// compute_root, vectorize the innermost pure axis, parallel over the
/// outermost; the same for every update that keeps those axes pure.
void root_vectorized(Func f, const Target &target) {
  f.compute_root();
  const std::vector<Var> args = f.args();
  if (args.empty()) return;
  const int vec = vector_width(f, target);
  const Var inner = args.front(), outer = args.back();
  f.vectorize(inner, vec, TailStrategy::GuardWithIf);
  if (args.size() > 1) f.parallel(outer);
  for (int u = 0; u < f.num_update_definitions(); ++u) {
    Stage s = f.update(u);
    s.vectorize(inner, vec, TailStrategy::GuardWithIf);
    if (args.size() > 1) s.parallel(outer);
  }
}

/// Convolution-like reductions: the output tile (vector of the innermost
/// axis x rows) stays in registers while the reduction runs.
void root_reduction_tiled(Func f, const Target &target) {
  f.compute_root();
  const std::vector<Var> args = f.args();
  const int vec = vector_width(f, target);
  const Var inner = args.front(), outer = args.back();
  f.vectorize(inner, vec, TailStrategy::GuardWithIf);
  if (args.size() > 2) {
    Var fused("fused");
    f.fuse(args[args.size() - 2], outer, fused).parallel(fused);
    Stage s = f.update();
    s.vectorize(inner, vec, TailStrategy::GuardWithIf);
    s.fuse(args[args.size() - 2], outer, fused).parallel(fused);
  } else if (args.size() > 1) {
    f.parallel(outer);
    f.update().vectorize(inner, vec, TailStrategy::GuardWithIf).parallel(outer);
  }
}

} // namespace

void schedule_by_hand(const std::vector<ScheduleStage> &stages, const std::vector<Func> &outputs,
                      const Target &target) {
  for (const ScheduleStage &s : stages) {
    for (Func h : s.helpers) root_vectorized(h, target);
    if (s.family == "quantize") {
      Func(s.quantize->x_hat).compute_root();
      schedule_quantize_forward(*s.quantize, target);
      continue; // the N-D view of x_hat is inlined into its consumers
    }
    if (s.family == "quantize_grad") {
      Func(s.quantize->grad_x).compute_root();
      schedule_quantize_backward(*s.quantize, target);
      continue;
    }
    const bool reduction = s.family == "conv2d" || s.family == "conv2d_grad_input" ||
                           s.family == "conv2d_grad_filter" || s.family == "dense" ||
                           s.family == "dense_grad_input" || s.family == "dense_grad_weight";
    for (Func f : s.funcs) {
      if (reduction)
        root_reduction_tiled(f, target);
      else
        root_vectorized(f, target);
    }
  }
  for (Func o : outputs) root_vectorized(o, target);
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
