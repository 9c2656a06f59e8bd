//===- network.cpp - GPU hand schedules of a lowered cpq function ----------===//
//
// This file implements the GPU family (gpu.h): every op's results, helpers,
// operand copies and accumulators are computed at root as kernels of
// blocks of threads over their pure loops; reductions run in each thread.
//
//===----------------------------------------------------------------------===//
#include "schedules/gpu/gpu.h"

#include <map>
#include <set>
#include <stdexcept>
#include <string>

namespace cpq::schedules::gpu {

using namespace Halide;

namespace {

/// Whether stage `stage` of f (-1: the pure definition) computes nothing
/// (a pure definition of undef, written only by the updates).
bool undefined_stage(const Func &f, int stage) {
  if (stage >= 0) return false;
  for (const Expr &v : f.function().definition().values())
    if (const Internal::Call *call = v.as<Internal::Call>(); !call || !call->is_intrinsic(Internal::Call::undef))
      return false;
  return true;
}

/// The variables of f's pure definition that stage `stage` (-1: the pure
/// definition) still writes along, innermost first: an update that writes
/// at an RVar or a constant along an axis has no loop over it.
std::vector<Var> stage_loops(const Func &f, int stage) {
  std::vector<Var> vars;
  if (stage < 0) return f.args();
  const std::vector<Expr> lhs = f.function().update(stage).args();
  const std::vector<Var> pure = f.args();
  for (std::size_t k = 0; k < lhs.size() && k < pure.size(); ++k) {
    const Internal::Variable *var = lhs[k].as<Internal::Variable>();
    if (var && !var->reduction_domain.defined() && var->name == pure[k].name()) vars.push_back(pure[k]);
  }
  return vars;
}

/// Fuses s's loops over vars[first], vars[first + 1], ... (innermost
/// first) into one and returns it.
Var fuse_from(Stage s, const std::vector<Var> &vars, std::size_t first) {
  Var fused = vars.at(first);
  for (std::size_t k = first + 1; k < vars.size(); ++k) {
    Var next(fused.name() + "_" + vars[k].name());
    s.fuse(fused, vars[k], next);
    fused = next;
  }
  return fused;
}

/// Tiles one stage's loops into blocks of threads_x x threads_y threads
/// (the second and outer loops fused into one), or runs it on one thread
/// when it has no loop.
void tile_stage(Stage s, std::vector<Var> vars, int threads_x, int threads_y) {
  if (vars.empty()) {
    s.gpu_single_thread();
    return;
  }
  Var bx("bx"), by("by"), tx("tx"), ty("ty");
  if (vars.size() == 1) {
    s.gpu_tile(vars[0], bx, tx, threads_x * threads_y, TailStrategy::GuardWithIf);
    return;
  }
  const Var outer = fuse_from(s, vars, 1);
  s.gpu_tile(vars[0], outer, bx, by, tx, ty, threads_x, threads_y, TailStrategy::GuardWithIf);
}

/// Why f must run on the host, or nullptr: it raises run-time errors
/// (Halide's require) or calls a C function (the DropBits masks' and gates'
/// draws) in a definition, or it reads a buffer compiled into the kernel (a
/// bound parameter, packed weights): Halide 14 embeds those without the
/// host-dirty flag, so a device copy of one is allocated and never filled
/// (seen: LeNet-5's packed inference read garbage on OpenCL). Computed on
/// the host, such a Func's values are copied to the device by its readers.
/// Math functions (pure externs) run on the device.
const char *host_reason(const Internal::Function &f) {
  struct FindHostCalls : Internal::IRVisitor {
    using IRVisitor::visit;
    const char *reason = nullptr;
    void visit(const Internal::Call *op) override {
      if (op->is_intrinsic(Internal::Call::require) || op->call_type == Internal::Call::Extern ||
          op->call_type == Internal::Call::ExternCPlusPlus)
        reason = "it raises run-time errors or calls a C function (GPU kernels cannot)";
      else if (op->call_type == Internal::Call::Image && op->image.defined() && !reason)
        reason = "it reads a buffer compiled into the kernel (its device copy would never be filled)";
      IRVisitor::visit(op);
    }
  } finder;
  auto scan = [&](const Internal::Definition &d) {
    for (const Expr &e : d.values()) e.accept(&finder);
    for (const Expr &e : d.args()) e.accept(&finder);
  };
  scan(f.definition());
  for (const Internal::Definition &u : f.updates()) scan(u);
  return finder.reason;
}

/// The Functions `d`'s values and arguments call, by name.
std::map<std::string, Internal::Function> callees(const Internal::Definition &d) {
  struct FindCalls : Internal::IRVisitor {
    using IRVisitor::visit;
    std::map<std::string, Internal::Function> found;
    void visit(const Internal::Call *op) override {
      if (op->call_type == Internal::Call::Halide && op->func.defined())
        found.emplace(op->name, Internal::Function(op->func));
      IRVisitor::visit(op);
    }
  } finder;
  for (const Expr &e : d.values()) e.accept(&finder);
  for (const Expr &e : d.args()) e.accept(&finder);
  return finder.found;
}

/// Whether a contraction's accumulator stages its operands in shared
/// memory, chunk by chunk of its reduction: one update over one reduction
/// variable (a dense layer's sums over inputs, outputs or the batch, and
/// packed dense products), so that what a block copies a chunk is its
/// tile's rows times the chunk. Convolutions (a window inside the
/// channels) do not yet: their blocks' footprints, as Halide bounds them
/// for a tile fused over output rows and images, came out above a CUDA
/// block's 48 KiB (LeNet-5's conv2: 53 KiB), and for the input gradient's
/// predicated form not bounded at all.
bool can_stage(const Func &acc) {
  if (acc.num_update_definitions() != 1 || stage_loops(acc, 0).empty()) return false;
  const std::vector<Internal::ReductionVariable> &rvars = acc.function().update(0).schedule().rvars();
  if (rvars.size() != 1) return false;
  const int64_t *extent = Internal::as_const_int(rvars[0].extent);
  return !extent || *extent > 1;
}

/// A contraction's accumulator at root with its operands staged in shared
/// memory: the update's blocks of tiles.x x tiles.y threads over its first
/// two loops (the others fused into a third block dimension, so that a
/// block's outputs are one tile and what it reads is bounded), then, in
/// each block, the reduction's one variable in chunks of `chunk`:
/// for each chunk the block's threads first copy the values of every
/// operand the block's sums read into shared memory (a wrapper of the
/// operand computed at the chunk loop: inside the block, outside its
/// threads; Halide puts barriers around it), then each thread adds its
/// own output's products of the chunk from there. Operands the pure
/// definition reads too (a bias) are read in place.
void gpu_root_staged(Func acc, Tiles t, int chunk) {
  acc.compute_root();
  if (!undefined_stage(acc, -1)) tile_stage(acc, stage_loops(acc, -1), t.x, t.y);

  const Internal::Definition &update = acc.function().update(0);
  const std::string r = update.schedule().rvars().back().var;
  RVar whole(r), chunks(r + "_chunk"), within(r + "_in");
  Stage s = acc.update();
  s.split(whole, chunks, within, chunk, TailStrategy::GuardWithIf);
  const std::vector<Var> vars = stage_loops(acc, 0);
  Var bx("bx"), by("by"), tx("tx"), ty("ty");
  if (vars.size() == 1) {
    s.gpu_tile(vars[0], bx, tx, t.x * t.y, TailStrategy::GuardWithIf);
    s.reorder(tx, chunks);
  } else {
    const Var rest = vars.size() > 2 ? fuse_from(s, vars, 2) : Var();
    s.gpu_tile(vars[0], vars[1], bx, by, tx, ty, t.x, t.y, TailStrategy::GuardWithIf);
    if (vars.size() > 2) s.gpu_blocks(rest);
    s.reorder(tx, ty, chunks);
  }

  const std::map<std::string, Internal::Function> in_init = callees(acc.function().definition());
  for (auto &[name, f] : callees(update)) {
    if (name == acc.name() || in_init.count(name)) continue;
    Func staged = Func(f).in(acc);
    staged.compute_at(acc, chunks).store_in(MemoryType::GPUShared);
    const Var all = fuse_from(staged, staged.args(), 0);
    Var rounds("rounds"), in_block("in_block"), sx("sx"), sy("sy");
    staged.split(all, rounds, in_block, t.x * t.y, TailStrategy::GuardWithIf);
    if (vars.size() == 1) {
      staged.gpu_threads(in_block);
    } else {
      staged.split(in_block, sy, sx, t.x, TailStrategy::GuardWithIf);
      staged.gpu_threads(sx, sy);
    }
  }
}

} // namespace

// Declared, and described, in gpu.h.
void checks_on_host(const std::vector<Func> &outputs) {
  std::map<std::string, Internal::Function> env;
  for (const Func &o : outputs) {
    if (!o.defined()) continue;
    env.emplace(o.name(), o.function());
    for (auto &kv : Internal::find_transitive_calls(o.function())) env.insert(kv);
  }
  for (auto &[name, f] : env) {
    const char *reason = f.has_extern_definition() ? nullptr : host_reason(f);
    if (!reason) continue;
    LoopLevel level = f.schedule().compute_level();
    level.lock();
    if (level.is_inlined()) {
      Func(f).compute_root(); // on the host, before the kernels that read it
      continue;
    }
    auto on_device = [](const Internal::Definition &d) {
      for (const Internal::Dim &dim : d.schedule().dims())
        if (dim.for_type == Internal::ForType::GPUBlock || dim.for_type == Internal::ForType::GPUThread ||
            dim.for_type == Internal::ForType::GPULane)
          return true;
      return false;
    };
    bool device = on_device(f.definition());
    for (const Internal::Definition &u : f.updates()) device = device || on_device(u);
    if (!device) continue;
    throw std::invalid_argument("the gpu schedules would compute '" + name + "' on the device, and " + reason +
                                ": such Funcs are computed on the host");
  }
}

// Declared, and described, in gpu.h.
Tiles ask_tiles(Choices &c) {
  Tiles t;
  t.x = c.choose("threads_x", {8, 16, 32, 64}, 32);
  t.y = c.choose("threads_y", {1, 2, 4, 8}, 4);
  return t;
}

void gpu_root(Func f, Choices &c, Tiles t) {
  c.covers(f.name());
  // A Func two stages share (a requantization's offset, a scale read by
  // several layers) is scheduled once, by the first.
  for (const Internal::Dim &d : f.function().definition().schedule().dims())
    if (d.for_type == Internal::ForType::GPUBlock) return;
  f.compute_root();
  // Extern stages, checks of inputs, calls of C functions and reads of
  // compiled-in buffers run on the host (host_reason); Halide copies the
  // buffers between it and the device.
  // Scalars (a batch's loss and its count of correct answers, the labels'
  // check) too: a GPU kernel of one thread is no faster, and their inputs
  // are a value a row.
  if (f.function().has_extern_definition() || host_reason(f.function()) || f.dimensions() == 0) return;
  if (!undefined_stage(f, -1)) tile_stage(f, stage_loops(f, -1), t.x, t.y);
  for (int u = 0; u < f.num_update_definitions(); ++u) tile_stage(f.update(u), stage_loops(f, u), t.x, t.y);
}

void schedule_network(const std::vector<ScheduleStage> &stages, const std::vector<Func> &outputs,
                      const Target &target, Choices &c) {
  c.space().family = "gpu";
  std::set<std::string> scheduled;
  for (const ScheduleStage &s : stages) {
    for (const Func &f : s.funcs) scheduled.insert(f.name());
    if (s.contraction && s.contraction->output.defined()) scheduled.insert(s.contraction->output.name());
    for (const Func &h : s.helpers) {
      c.stage(h.name(), s.family + ".helper");
      gpu_root(h, c, ask_tiles(c));
    }
    if (s.family == "quantize") {
      c.stage(s.funcs.empty() ? Func(s.quantize->x_hat).name() : s.funcs.front().name(), s.family);
      schedule_quantize_forward(*s.quantize, target, c);
      continue;
    }
    if (s.family == "quantize_grad") {
      c.stage(s.funcs.empty() ? Func(s.quantize->grad_x).name() : s.funcs.front().name(), s.family);
      schedule_quantize_backward(*s.quantize, target, c);
      continue;
    }
    if (s.extern_gemm) {
      c.stage(s.extern_gemm->f.name(), s.family);
      const Tiles t = ask_tiles(c);
      if (s.extern_gemm->kw > 0) gpu_root(s.extern_gemm->im2col, c, t);
      gpu_root(s.extern_gemm->f, c, t);
      continue;
    }
    if (s.funcs.empty()) continue;
    c.stage(s.funcs.front().name(), s.family);
    const Tiles t = ask_tiles(c);
    if (s.contraction) {
      // Operand copies, the accumulator (its reduction in each thread) and
      // the dot products' lane sums, each a kernel, then the result.
      const ContractionLoops &k = *s.contraction;
      for (const Relayout &r : k.relayouts) gpu_root(r.copy, c, t);
      // Operands staged in shared memory a chunk of the reduction at a
      // time (gpu_root_staged), or read from global memory by every thread
      // (0).
      const int chunk = can_stage(k.acc) ? c.choose("stage_chunk", {0, 8, 16, 32}, 16) : 0;
      if (chunk > 0) {
        c.covers(k.acc.name());
        gpu_root_staged(k.acc, t, chunk);
      } else {
        gpu_root(k.acc, c, t);
      }
      if (k.lane_sum.defined()) gpu_root(k.lane_sum, c, t);
      if (k.output.defined()) gpu_root(k.output, c, t);
    }
    if (s.filter_gradient)
      for (const Func &f : s.filter_gradient->row_copies) gpu_root(f, c, t);
    for (const Func &f : s.funcs) gpu_root(f, c, t);
  }
  for (const Func &o : outputs) {
    if (scheduled.count(o.name())) continue; // a stage's own result
    c.stage(o.name(), "output");
    gpu_root(o, c, ask_tiles(c));
  }
  checks_on_host(outputs);
}

} // namespace cpq::schedules::gpu
