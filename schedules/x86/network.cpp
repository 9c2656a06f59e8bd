//===- network.cpp - x86 hand schedules of a lowered cpq function -----------===//
//
// This file implements the x86 hand schedule of a whole lowered function,
// per op family.
//
// Every op's result is computed at root (the pipelines are DAGs of layers;
// fusing across layers is the autoschedulers' business), vectorized along
// its innermost axis at the target's natural width and parallel over its
// outermost axis. Convolutions and dense layers keep their reduction inside
// the vector loop so each lane accumulates its own output; statistics
// (batch-norm moments, softmax rows, max-pool argmax) are computed once at
// root instead of inline. Contractions use contraction.cpp, quantizer
// stages quantize.cpp.
//
//===----------------------------------------------------------------------===//
#include "schedules/x86/x86.h"
#include "schedules/x86/loops.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <set>
#include <stdexcept>

namespace cpq::schedules::x86 {

using namespace Halide;

namespace {

int vector_width(const Func &f, const Target &target) {
  const Type t = f.defined() ? f.output_types()[0] : Float(32);
  return std::max(1, target.natural_vector_size(t));
}

} // namespace

// Declared, and described, in loops.h.
bool root_vectorized(Func f, const Target &target, Choices &c, bool may_inline, bool inline_by_default,
                     int64_t inner_extent, RootLoops *loops) {
  c.covers(f.name());
  const std::vector<Var> args = f.args();
  // Every knob is asked whatever the others say (an inlined Func ignores
  // its vector width), so a point names the same knobs at any values.
  const bool inlined = may_inline && c.choose("inline", {0, 1}, inline_by_default ? 1 : 0);
  if (args.empty()) {
    if (!inlined) f.compute_root();
    return inlined;
  }
  const int natural = vector_width(f, target);
  const int vec = c.choose("vector_width", {std::max(1, natural / 2), natural, 2 * natural}, natural);
  const bool parallel = args.size() > 1 && c.choose("parallel", {0, 1}, 1);
  if (inlined) {
    f.compute_inline();
    return true;
  }
  f.compute_root();
  const Var inner = args.front(), outer = args.back();
  int pure_vec = vec;
  TailStrategy pure_tail = TailStrategy::GuardWithIf;
  if (inner_extent > 0 && inner_extent % vec != 0) {
    while (pure_vec > 4 && pure_vec > inner_extent) pure_vec /= 2;
    if (inner_extent >= pure_vec) pure_tail = TailStrategy::ShiftInwards;
    else pure_vec = vec;
  }
  f.vectorize(inner, pure_vec, pure_tail);
  if (parallel) f.parallel(outer);
  if (loops) *loops = RootLoops{vec, pure_vec, parallel, pure_tail == TailStrategy::ShiftInwards};
  for (int u = 0; u < f.num_update_definitions(); ++u) {
    Stage s = f.update(u);
    s.vectorize(inner, vec, TailStrategy::GuardWithIf);
    if (parallel) s.parallel(outer);
  }
  return false;
}

namespace {

/// conv2d and conv2d_grad_input, f(width, height, channel, batch) with an
/// update over (kw, kh, input channel): a vector of outputs along the width
/// times 4 channels stays in registers while the whole reduction runs
/// (each step: one vector load of the input row, scalar weights broadcast);
/// parallel over channel blocks and batch.
void convolution_direct(Func f, const Target &target, Choices &c) {
  c.covers(f.name());
  const std::vector<Var> a = f.args();
  const int natural = vector_width(f, target);
  const int vec = c.choose("vector_width", {std::max(1, natural / 2), natural, 2 * natural}, natural);
  const int channels = c.choose("channel_tile", {1, 2, 4, 8}, 4);
  Var t("t"), wo("wo"), wi("wi"), co("co"), ci("ci");
  f.compute_root().vectorize(a[0], vec, TailStrategy::GuardWithIf).fuse(a[2], a[3], t).parallel(t);
  const std::vector<RVar> r = f.rvars(0);
  f.update()
      .split(a[0], wo, wi, vec, TailStrategy::GuardWithIf)
      .split(a[2], co, ci, channels, TailStrategy::GuardWithIf)
      .reorder({wi, ci, r[0], r[1], r[2], wo, a[1], co, a[3]})
      .vectorize(wi)
      .unroll(ci)
      .fuse(co, a[3], t)
      .parallel(t);
}

/// conv2d_grad_filter in the direct form, f(kw, kh, c, o) with an update
/// over (dy's width, height, batch): the long reduction is factored along
/// dy's rows into vector lanes (contiguous loads of dy and x), summed at the
/// end. A block of (kernel column, output channel) lane sums stays in
/// registers while the reduction runs over dy's rows: each step loads one
/// vector of dy per channel and one of x per kernel column for block x kw
/// FMAs (LeNet-5's conv1, one input channel: 20 sums). The blocks are the
/// parallel tasks; within one, each image's rows are read for every kernel
/// row while they are in L1.
void convolution_filter_gradient(Func f, const ScheduleStage::FilterGradient &fg, const Target &target,
                                 Choices &c) {
  c.covers(f.name());
  const std::vector<Var> a = f.args();
  const std::vector<RVar> r = f.rvars(0);
  const int natural = vector_width(f, target);
  // Half the natural width where it divides a static row the natural one
  // does not (24 = 3 x 8 lanes): no masked lanes.
  int hand_vec = natural;
  if (natural >= 2 && fg.width > 0 && fg.width % natural != 0 && fg.width % (natural / 2) == 0)
    hand_vec = natural / 2;
  const int vec = c.choose("vector_width", {std::max(1, natural / 2), natural, 2 * natural}, hand_vec);
  Var lane("lane");
  RVar ro("ro"), ri("ri");
  Func lanes = f.update().split(r[0], ro, ri, vec, TailStrategy::GuardWithIf).rfactor(ri, lane);
  c.covers(lanes.name());
  const int budget = target.has_feature(Target::AVX512) ? 24 : 12;
  const int kw = int(fg.kernel_width);
  // The most channels the registers take that divide the outputs. Blocks
  // divide them (a chosen tile is lowered to a divisor): with a guarded last
  // block, the lane sums' region, and so dy's reads, would run past the last
  // channel.
  int hand_block = 1;
  for (int b : {8, 4, 2})
    if (fg.outputs % b == 0 && b * kw <= budget) {
      hand_block = b;
      break;
    }
  int block = c.choose("channel_tile", {1, 2, 4, 8}, hand_block);
  while (fg.outputs % block != 0) --block;
  Var oo("oo"), oi("oi");
  f.bound(a[0], 0, kw);
  f.compute_root().parallel(a[3]);
  f.update().split(a[3], oo, oi, block, TailStrategy::GuardWithIf).parallel(oo);
  std::vector<Var> storage = {lane}; // rfactor puts the lanes last
  for (const Var &v : lanes.args())
    if (v.name() != lane.name()) storage.push_back(v);
  lanes.compute_at(f, oo).reorder_storage(storage).vectorize(lane);
  lanes.update()
      .reorder({lane, a[0], a[3], ro, r[1], a[1], a[2], r[2]})
      .vectorize(lane)
      .unroll(a[0], kw)
      .unroll(a[3], block);
  // Row copies per image of the block (x's: one channel of a first layer).
  for (Func copy : fg.row_copies) {
    c.covers(copy.name());
    const Var inner = copy.args().front();
    copy.compute_at(lanes, r[2]).vectorize(inner, natural, TailStrategy::GuardWithIf);
    for (int u = 0; u < copy.num_update_definitions(); ++u)
      copy.update(u).vectorize(copy.rvars(u).front(), natural, TailStrategy::GuardWithIf);
  }
}

const ScheduleStage::FilterGradient &filter_gradient_of(const ScheduleStage &s) {
  if (!s.filter_gradient)
    throw std::logic_error("the filter gradient " + s.funcs.at(0).name() + " has no FilterGradient record");
  return *s.filter_gradient;
}

/// An extern product: chunks of rows (a whole number of 6-row register
/// tiles), and two halves of the outputs when both are whole panels, in
/// parallel. Shifting the last chunk inwards recomputes a few rows rather
/// than handing the extern a region past the buffer; a chunk no longer than
/// the rows keeps that possible for a batch of one.
void extern_gemm(const ExternGemmLoops &e, Choices &c) {
  Func f = e.f;
  c.stage(f.name(), "extern_gemm");
  c.covers(f.name());
  if (e.kw > 0) c.covers(Func(e.im2col).name());
  f.compute_root();
  // Knobs: row_chunk (rows per extern call), split_outputs (two halves of
  // the outputs as separate tasks, where they are whole panels).
  const int chunk = c.choose("row_chunk", {24, 48, 96, 192, 384}, 96);
  const bool halves_possible = e.outputs % 32 == 0 && e.outputs >= 64;
  const bool halves = halves_possible && c.choose("split_outputs", {0, 1}, 1);
  Var oo("oo"), oi("oi"), ro("ro"), ri("ri"), task("task");
  f.split(e.row, ro, ri, min(e.rows, chunk), TailStrategy::ShiftInwards);
  if (halves) {
    f.split(e.o, oo, oi, e.outputs / 2, TailStrategy::ShiftInwards).reorder(oi, ri, oo, ro).fuse(oo, ro, task).parallel(task);
  } else {
    f.parallel(ro);
  }
  if (e.kw > 0) {
    // The copy's loops split so that the index arithmetic of its definition
    // (divisions by kw, kh, ow, oh) simplifies away: per output pixel, the
    // window's rows are copied as runs of kw bytes.
    Func col = e.im2col;
    Var kc("kc"), kx("kx"), c("c"), ky("ky"), rr("rr"), j("j"), n("n"), i("i");
    col.compute_root()
        .bound(e.col_k, 0, e.k) // known mins: the index arithmetic simplifies
        .bound(e.col_row, 0, e.rows)
        .split(e.col_k, kc, kx, e.kw, TailStrategy::GuardWithIf)
        .split(kc, c, ky, e.kh, TailStrategy::GuardWithIf)
        .split(e.col_row, rr, j, e.ow, TailStrategy::GuardWithIf)
        .split(rr, n, i, e.oh, TailStrategy::GuardWithIf)
        .reorder(kx, ky, c, j, i, n)
        .unroll(kx)
        .parallel(n);
  }
}

/// The Func an output copies (its whole definition a call to it), if any.
std::string copied_func(const Func &o) {
  if (o.num_update_definitions() != 0 || o.outputs() != 1) return {};
  const auto *call = o.value().as<Internal::Call>();
  return call && call->call_type == Internal::Call::Halide ? call->name : std::string();
}

/// An optimizer's outputs (the next parameter and its moments or momentum)
/// in one loop: each reads the same gradient and moments, which the fused
/// loop reads once (LeNet-5's fc1: 22 MB moved a step in three loops, 14 MB
/// in one). Outputs of the same rank and loops (a tuning point may give
/// them different vector widths) are fused; the others keep their own.
void fuse_optimizer_outputs(const std::vector<ScheduleStage> &stages, const std::vector<Func> &outputs,
                            const std::map<std::string, RootLoops> &loops) {
  for (const ScheduleStage &s : stages) {
    if (s.family != "optimizer") continue;
    std::set<std::string> names;
    for (const Func &f : s.funcs) names.insert(f.name());
    std::vector<Func> group;
    for (const Func &o : outputs)
      if (loops.count(o.name()) && names.count(copied_func(o))) group.push_back(o);
    for (std::size_t k = 1; k < group.size(); ++k)
      if (group[k].dimensions() == group[0].dimensions() && group[0].dimensions() > 0 &&
          loops.at(group[k].name()) == loops.at(group[0].name()))
        group[k].compute_with(group[0], group[0].args().front());
  }
}
} // namespace

void schedule_network(const std::vector<ScheduleStage> &stages, const std::vector<Func> &outputs,
                      const Target &target, Choices &c) {
  c.space().family = "x86";
  // Funcs that may be computed inline: pure, not an output, not read by an
  // extern stage (which needs its inputs in buffers).
  std::set<std::string> not_inline;
  for (const Func &o : outputs) not_inline.insert(o.name());
  for (const ScheduleStage &s : stages)
    for (const Func &f : s.funcs)
      if (f.defined() && f.function().has_extern_definition())
        for (const ExternFuncArgument &arg : f.function().extern_arguments())
          if (arg.is_func()) not_inline.insert(Internal::Function(arg.func).name());
  std::set<std::string> in_place; // outputs that compute a contraction's result
  auto may_inline = [&](const Func &f) {
    return f.dimensions() > 0 && f.num_update_definitions() == 0 && !f.function().has_extern_definition() &&
           !not_inline.count(f.name());
  };
  for (const ScheduleStage &s : stages) {
    // Pools read their input at a stride: their vectors take no masks (nor
    // the window argmax of a quantizer gradient fused with a pool's).
    const bool unmasked = s.family == "pool" || s.family == "pool_grad" || s.family == "quantize_grad";
    auto extent_of = [&](const Func &f) -> int64_t {
      auto it = s.inner_extents.find(f.name());
      return unmasked && it != s.inner_extents.end() ? it->second : 0;
    };
    for (Func h : s.helpers) {
      c.stage(h.name(), s.family + ".helper");
      root_vectorized(h, target, c, false, false, extent_of(h));
    }
    if (s.family == "quantize") {
      c.stage(s.funcs.empty() ? Func(s.quantize->x_hat).name() : s.funcs.front().name(), s.family);
      schedule_quantize_forward(*s.quantize, target, c, may_inline(s.quantize->x_hat));
      continue; // the N-D view of x_hat is inlined into its consumers
    }
    if (s.family == "quantize_grad") {
      c.stage(s.funcs.empty() ? Func(s.quantize->grad_x).name() : s.funcs.front().name(), s.family);
      schedule_quantize_backward(*s.quantize, target, c, may_inline(s.quantize->grad_x));
      continue;
    }
    if (s.contraction) {
      contraction(s.funcs.at(0), *s.contraction, target, c, s.family);
      if (s.contraction->output.defined()) in_place.insert(s.contraction->output.name());
      continue;
    }
    if (s.extern_gemm) {
      extern_gemm(*s.extern_gemm, c);
      continue;
    }
    if (s.channels_last) {
      // Reads (output, row) sums: channels innermost in the loops and the
      // storage, so loads and stores are contiguous; consumers index the
      // result as NCHW all the same.
      for (Func f : s.funcs) {
        c.stage(f.name(), s.family);
        const std::vector<Var> a = f.args();
        if (a.size() != 4) {
          root_vectorized(f, target, c);
          continue;
        }
        const int vec = c.choose("vector_width", {8, 16, 32}, 16);
        c.covers(f.name());
        f.compute_root()
            .reorder_storage(a[2], a[0], a[1], a[3])
            .reorder(a[2], a[0], a[1], a[3])
            .vectorize(a[2], vec, TailStrategy::GuardWithIf)
            .parallel(a[3]);
      }
      continue;
    }
    bool inlined = false;
    for (Func f : s.funcs) {
      c.stage(f.name(), s.family);
      if (s.family == "conv2d" || s.family == "conv2d_grad_input")
        convolution_direct(f, target, c);
      else if (s.family == "conv2d_grad_filter")
        convolution_filter_gradient(f, filter_gradient_of(s), target, c);
      else
        // An optimizer's next parameter and moments are computed inside the
        // outputs that return them: no buffer written and copied (LeNet-5's
        // fc1, 2 MiB each: 1.15 ms for the update and 0.75 for the three
        // copies). Their inputs are read after an output is written, so an
        // output must not share memory with its input (the Trainer swaps
        // separate buffers).
        inlined = root_vectorized(f, target, c, may_inline(f), s.family == "optimizer", extent_of(f));
    }
    // A max-pool gradient reads its windows' argmax (a byte a window under
    // tiling windows, two int32 and the value otherwise):
    // computed per channel plane of the gradient, just before it, the
    // argmax stays in L1 instead of a tensor-sized buffer written and read
    // back.
    if (s.family == "pool_grad" && s.funcs.size() == 1 && s.helpers.size() == 1 && s.funcs[0].dimensions() == 4 &&
        s.helpers[0].dimensions() == 4 && !inlined) {
      Func am = s.helpers[0];
      am.compute_at(s.funcs[0], s.funcs[0].args()[2]).serial(am.args().back());
    }
  }
  std::map<std::string, RootLoops> output_loops;
  for (Func o : outputs) {
    if (in_place.count(o.name())) continue; // scheduled as its contraction
    c.stage(o.name(), "output");
    root_vectorized(o, target, c, false, false, 0, &output_loops[o.name()]);
  }
  fuse_optimizer_outputs(stages, outputs, output_loops);
}

} // namespace cpq::schedules::x86
