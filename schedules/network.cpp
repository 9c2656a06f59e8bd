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

/// conv2d and conv2d_grad_input, f(width, height, channel, batch) with an
/// update over (kw, kh, input channel): a vector of outputs along the width
/// times 4 channels stays in registers while the whole reduction runs
/// (each step: one vector load of the input row, scalar weights broadcast);
/// parallel over channel blocks and batch.
void convolution_direct(Func f, const Target &target) {
  const std::vector<Var> a = f.args();
  const int vec = vector_width(f, target);
  Var t("t"), wo("wo"), wi("wi"), co("co"), ci("ci");
  f.compute_root().vectorize(a[0], vec, TailStrategy::GuardWithIf).fuse(a[2], a[3], t).parallel(t);
  const std::vector<RVar> r = f.rvars(0);
  f.update()
      .split(a[0], wo, wi, vec, TailStrategy::GuardWithIf)
      .split(a[2], co, ci, 4, TailStrategy::GuardWithIf)
      .reorder({wi, ci, r[0], r[1], r[2], wo, a[1], co, a[3]})
      .vectorize(wi)
      .unroll(ci)
      .fuse(co, a[3], t)
      .parallel(t);
}

/// conv2d_grad_filter, f(kw, kh, c, o) with an update over (output width,
/// output height, batch): the long reduction is factored along the output
/// width into vector lanes (contiguous loads of dy and x), one output
/// channel per task, then the lanes are summed.
void convolution_filter_gradient(Func f, const Target &target) {
  const std::vector<Var> a = f.args();
  const int vec = vector_width(f, target);
  const std::vector<RVar> r = f.rvars(0);
  Var lane("lane");
  RVar ro("ro"), ri("ri");
  Func lanes = f.update().split(r[0], ro, ri, vec, TailStrategy::GuardWithIf).rfactor(ri, lane);
  lanes.compute_root().vectorize(lane).parallel(a[3]);
  lanes.update().reorder({lane, ro, r[1], r[2], a[0], a[1], a[2], a[3]}).vectorize(lane).parallel(a[3]);
  f.compute_root().parallel(a[3]);
  f.update().parallel(a[3]);
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
    const bool reduction = s.family == "dense" || s.family == "dense_grad_input" || s.family == "dense_grad_weight";
    for (Func f : s.funcs) {
      if (s.family == "conv2d" || s.family == "conv2d_grad_input")
        convolution_direct(f, target);
      else if (s.family == "conv2d_grad_filter")
        convolution_filter_gradient(f, target);
      else if (reduction)
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
