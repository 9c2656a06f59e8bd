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
// root instead of inline. Quantizer stages use quantize.cpp.
//
//===----------------------------------------------------------------------===//
#include "schedules/x86/x86.h"

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

/// The loops root_vectorized gave a Func: Funcs of equal loops can share
/// them (compute_with).
struct RootLoops {
  int vector_width = 0, pure_vector_width = 0;
  bool parallel = false, shift_inwards = false;
  bool operator==(const RootLoops &o) const {
    return vector_width == o.vector_width && pure_vector_width == o.pure_vector_width && parallel == o.parallel &&
           shift_inwards == o.shift_inwards;
  }
};

/// compute_root, vectorize the innermost pure axis, parallel over the
/// outermost; the same for every update that keeps those axes pure. Knobs:
/// vector_width (half, the natural, twice the natural), parallel (0: serial),
/// and, when `may_inline`, inline (1: computed inline in its consumers, no
/// buffer; `inline_by_default` its hand value). Returns whether `f` was
/// inlined. With `inner_extent` (static, else 0) not a whole number of
/// vectors, the pure definition's vectors are narrowed to at most the extent
/// and the last one shifted inwards, so that no load or store is masked (a
/// pool's stride-2 loads under a mask became gathers: LeNet-5's 12-wide
/// rows); updates keep the guarded tail, since recomputing would add twice.
/// `loops`, when given, receives the loops chosen.
bool root_vectorized(Func f, const Target &target, Choices &c, bool may_inline = false,
                     bool inline_by_default = false, int64_t inner_extent = 0, RootLoops *loops = nullptr) {
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

/// The register tile along a static extent: the largest divisor of `extent`
/// not above `most` when it is at least half of it, else `most` (guarded).
int register_tile(int64_t extent, int most) {
  if (extent <= most) return int(extent);
  for (int d = most; d >= most / 2 && d > 0; --d)
    if (extent % d == 0) return d;
  return most;
}

/// An operand copy: transposing ones move square blocks through registers
/// (rows of the source loaded as vectors, columns stored as vectors; LLVM
/// turns the block into shuffles), the others are plain vectorized copies.
void relayout(const Relayout &r, const Target &target, Choices &c) {
  Func copy = r.copy;
  if (r.block == 0) {
    c.stage(copy.name(), "relayout");
    root_vectorized(copy, target, c);
    return;
  }
  const std::vector<Var> a = copy.args();
  Var xo("xo"), yo("yo"), xi("xi"), yi("yi");
  copy.compute_root()
      .tile(a[0], a[1], xo, yo, xi, yi, r.block, r.block, TailStrategy::ShiftInwards)
      .vectorize(xi)
      .unroll(yi);
  copy.parallel(a.size() > 2 ? a.back() : Var(yo));
  c.covers(copy.name());
  Func rows = Func(r.source).in(copy);
  c.covers(rows.name());
  const std::vector<Var> s = rows.args();
  rows.compute_at(copy, xo).vectorize(s[0]);
  for (std::size_t k = 1; k < s.size(); ++k) rows.unroll(s[k]);
}

/// Rows `row_bytes` apart that a register tile may broadcast from at once.
/// Lines a multiple of 4 KiB apart fall in one set of these cores' L1 data
/// cache (64 sets of 64-byte lines; 8 ways on Zen 4, 12 on Zen 5): more
/// than 6 such rows, beside the streamed operand's lines, evict each other
/// before their next use (LeNet-5's fc1 forward, rows of 1024 floats: a
/// tile of 12 rows ran at 0.68-0.75 ms, of 6 at 0.46-0.56).
int rows_within_cache_ways(int64_t row_bytes) {
  constexpr int kSets = 64, kLine = 64, kRowsPerSet = 6;
  if (row_bytes <= 0 || row_bytes % kLine != 0) return 1 << 20;
  const int64_t step = (row_bytes / kLine) % kSets; // sets advanced per row
  const int sets = step == 0 ? 1 : int(kSets / std::gcd<int64_t>(step, kSets));
  return kRowsPerSet * sets;
}

/// Dot products (ContractionLoops::lane_sum): the result tiled into blocks
/// of outputs x rows whose lanes' partial sums stay in registers while the
/// whole reduction runs (each step one vector of each of the block's rows of
/// w and of x: TO + TN loads for TO x TN FMAs), then each summed across its
/// lanes. The blocks of w's rows are the parallel tasks, outermost, so that
/// a block stays in cache while every block of x's rows passes. Rows 4 KiB
/// apart fall in one cache set (see rows_within_cache_ways), and both
/// operands stream: a block's rows of both are at most that many plus the
/// two it leaves for a streamed operand (LeNet-5's fc1, 1024 inputs: 4 x 4
/// rows ran at 0.17-0.18 ms, 4 x 6 at 0.21-0.22, 6 x 4 at 0.20).
void dot_products(Func out, const ContractionLoops &c, const Target &target, Choices &choices) {
  // The contraction's knobs, read for this form (a schedule file names the
  // same knobs whichever form a dense layer takes): vector_width (of the
  // lanes' vectors), vectors_per_block (outputs a block, each one vector
  // of lane sums; lowered to a divisor of the outputs), register_tile
  // (images a block).
  Func acc = c.acc, sum = c.lane_sum;
  choices.covers(out.name());
  choices.covers(acc.name());
  choices.covers(sum.name());
  const int natural = std::max(1, target.natural_vector_size(Float(32)));
  const int vec = choices.choose("vector_width", {std::max(1, natural / 4), std::max(1, natural / 2), natural},
                                 std::min(natural, c.lanes));
  const int per_sum = std::max(1, c.lanes / natural); // registers a lane sum takes
  const int budget = (target.has_feature(Target::AVX512) ? 24 : 12) / per_sum;
  const int streams = std::min(16, rows_within_cache_ways(c.register_row_bytes) + 2);
  int hand_to = 1;
  for (int t : {4, 3, 2})
    if (c.vector_extent % t == 0 && t * t <= budget && 2 * t <= streams) {
      hand_to = t;
      break;
    }
  int TO = choices.choose("vectors_per_block", {1, 2, 3, 4}, hand_to);
  while (c.vector_extent % TO != 0) --TO; // blocks of w's rows never past its last
  const int hand_tn = std::max(1, std::min({6, budget / TO, streams - TO}));
  std::vector<int> tiles = {1, 2, 3, 4, 6, 8, 12, 16, 24};
  if (std::find(tiles.begin(), tiles.end(), hand_tn) == tiles.end()) tiles.push_back(hand_tn);
  const int TN = choices.choose("register_tile", tiles, hand_tn);
  const std::vector<Var> a = out.args();
  const Var o = a[0], n = a[1];
  Var oo("oo"), oi("oi"), no("no"), ni("ni");
  auto tile = [&](Stage s, int tn, TailStrategy tail) {
    s.split(o, oo, oi, TO, TailStrategy::GuardWithIf).split(n, no, ni, tn, tail).reorder(oi, ni, no, oo).parallel(oo);
  };
  out.compute_root();
  // A batch of fewer rows than a block: blocks of one row.
  tile(out.specialize(c.register_extent >= TN), TN, TailStrategy::ShiftInwards);
  tile(out, 1, TailStrategy::GuardWithIf);
  const std::vector<Var> l = acc.args();
  const RVar r = acc.rvars(0).front();
  Var lo("lo"), li("li");
  acc.compute_at(out, no).vectorize(l[0], vec);
  acc.update()
      .split(l[0], lo, li, vec)
      .reorder(li, lo, l[1], l[2], r)
      .vectorize(li)
      .unroll(lo)
      .unroll(l[1])
      .unroll(l[2]);
  // Each output's lanes summed as one vector (a horizontal add).
  sum.compute_at(out, oi);
  sum.update().atomic().vectorize(sum.rvars(0).front());
}

/// A contraction (see contraction.h): the result is tiled into blocks of
/// one or two vectors along acc's vector axis times a run along its register
/// axis, as many accumulators as the target has registers to spare (24 of
/// AVX-512's 32, 12 of AVX2's 16), fewer where the contraction caps them
/// (max_accumulators) or where the rows the block broadcasts from would
/// crowd one cache set (register_row_bytes); acc is computed per block with
/// the whole reduction inside the unrolled block, so the block lives in registers;
/// blocks and the remaining axes are fused into one parallel loop. Along a
/// dynamic register axis (the batch) the last block is shifted inwards
/// (recomputing a few results) when the batch holds a whole block.
void contraction(Func out, const ContractionLoops &c, const Target &target, Choices &choices,
                 const std::string &family) {
  // Knobs: vector_width, vectors_per_block, register_tile, and
  // parallel_batch where the batch is an outer axis.
  choices.stage(out.name(), family);
  if (c.output.defined()) out = c.output; // the result computed in the output
  if (c.lane_sum.defined()) {
    dot_products(out, c, target, choices);
    return;
  }
  // Vectors of the natural width, or half of it when that divides the
  // extent and the natural one does not (24 = 3 x 8 lanes).
  const int natural = std::max(1, target.natural_vector_size(Float(32)));
  int vec = natural;
  if (vec >= 16 && c.vector_extent % vec != 0 && c.vector_extent % (vec / 2) == 0) vec /= 2;
  // Fewer outputs than a vector: one vector (10 outputs: 16 lanes, one
  // block, where 8 + 2 cost two whole blocks), masked unless the operand
  // copy is zero-padded (ContractionLoops::vector_padded, dense layers).
  while (vec > 4 && c.vector_extent > 0 && c.vector_extent <= vec / 2) vec /= 2;
  vec = choices.choose("vector_width", {std::max(1, natural / 4), std::max(1, natural / 2), natural}, vec);
  // vectors per block: the most of 3, 2 that divide the extent (rounded
  // up to whole vectors where acc may run past it)
  const int vector_extent = c.vector_padded ? (c.vector_extent + vec - 1) / vec * vec : c.vector_extent;
  int lanes = 1;
  for (int l : {3, 2})
    if (vector_extent % (l * vec) == 0) {
      lanes = l;
      break;
    }
  if (c.whole_register_axis) lanes = 1;
  Func acc = c.acc;
  const std::vector<Var> a = acc.args();
  const Var V = a[0], T = a[1];
  int budget = target.has_feature(Target::AVX512) ? 24 : 12;
  if (c.max_accumulators > 0) budget = std::min(budget, c.max_accumulators);
  const std::optional<int64_t> static_t = constant_int(c.register_extent);
  auto hand_tile_for = [&](int l) {
    const int rows = std::max(1, std::min(budget / l, rows_within_cache_ways(c.register_row_bytes)));
    int t = static_t ? register_tile(*static_t, rows) : rows;
    if (c.whole_register_axis && static_t && *static_t <= 24) t = int(*static_t);
    return t;
  };
  // Sums a block keeps in registers (with acc's third axis where it fits).
  auto sums = [&](int l) {
    const int held = l * hand_tile_for(l);
    const int s = c.second_register_extent;
    return s > 0 && a.size() > 2 && held * s <= budget ? held * s : held;
  };
  // More vectors per block where the block then holds more sums, along a
  // static register axis its tile divides, with at most 1/16 of the vector
  // axis computed past its end (a masked last block): LeNet-5's fc1 weight
  // gradient, 1024 x 512, 2 vectors x 8 sums took 0.18-0.21 ms, 3 x 8 0.15-0.17;
  // conv2's filter gradient, 64 channels x 5 kernel columns, 2 x 5 took
  // 0.95-0.97 ms, 4 x 5 0.90-0.92.
  if (static_t && !c.whole_register_axis && lanes > 1) {
    const int first = lanes;
    for (int l : {3, 4}) {
      const int vb = l * vec, past = (vector_extent + vb - 1) / vb * vb - vector_extent;
      if (l <= first || past * 16 > vector_extent || *static_t % hand_tile_for(l) != 0) continue;
      if (sums(l) > sums(lanes)) lanes = l;
    }
  }
  lanes = choices.choose("vectors_per_block", {1, 2, 3, 4}, lanes);
  const int VB = lanes * vec;
  choices.covers(out.name());
  choices.covers(acc.name());
  int hand_tile = hand_tile_for(lanes);
  std::vector<int> tiles = {1, 2, 3, 4, 6, 8, 12, 16, 24};
  if (std::find(tiles.begin(), tiles.end(), hand_tile) == tiles.end()) tiles.push_back(hand_tile);
  const int TB = choices.choose("register_tile", tiles, hand_tile);
  // acc's third axis in registers too, where the block still fits.
  const bool hand_two = c.second_register_extent > 0 && a.size() > 2 &&
                        lanes * TB * c.second_register_extent <= budget;
  const bool two = c.second_register_extent > 0 && a.size() > 2 &&
                   choices.choose("second_register_axis", {0, 1}, hand_two ? 1 : 0);
  const std::string U = two ? a[2].name() : std::string();

  std::vector<Var> rest;
  for (const Var &v : out.args())
    if (v.name() != V.name() && v.name() != T.name() && v.name() != U) rest.push_back(v);
  const bool vector_inner = out.args()[0].name() == V.name();
  bool batch_outer = !c.result_extents.empty() && !Internal::is_const(Internal::simplify(c.result_extents.back()));
  if (!rest.empty()) batch_outer = choices.choose("parallel_batch", {0, 1}, batch_outer ? 1 : 0);
  for (const Relayout &r : c.relayouts) {
    relayout(r, target, choices);
    if (!r.per_image) continue;
    Func copy = r.copy;
    if (!rest.empty() && batch_outer)
      copy.compute_at(out, rest.back()).serial(copy.args().back());
    else if (c.batch_reduced)
      copy.compute_at(acc, acc.rvars(0).back()).serial(copy.args().back());
  }
  Var vo("vo"), vi("vi"), to("to"), ti("ti"), fused_rows("fused_rows");
  // Fewer than two blocks of outputs a core (fc2's one): the blocks of rows
  // are tasks too.
  const bool rows_parallel = rest.empty() && c.vector_extent > 0 && c.vector_extent <= 3 * VB;
  auto tile = [&](Stage s, TailStrategy tail) {
    s.split(V, vo, vi, VB, TailStrategy::GuardWithIf).split(T, to, ti, TB, tail);
    std::vector<VarOrRVar> order;
    if (vector_inner)
      order = {vi, ti};
    else
      order = {ti, vi};
    if (two) order.push_back(a[2]);
    order.push_back(to);
    order.push_back(vo);
    for (const Var &v : rest) order.push_back(v);
    s.reorder(order);
    // Parallel over the batch where it is an outer axis (each task a whole
    // image: rows stay serial, so loops over kernel rows that Halide narrows
    // per row stay narrowed); else over the blocks and all outer axes.
    if (!rest.empty() && batch_outer) {
      s.parallel(rest.back());
    } else {
      VarOrRVar outer = vo;
      if (rows_parallel) {
        s.fuse(to, vo, fused_rows);
        outer = fused_rows;
      }
      for (size_t k = 0; k < rest.size(); ++k) {
        Var fused("fused" + std::to_string(k));
        s.fuse(outer, rest[k], fused);
        outer = fused;
      }
      s.parallel(outer);
    }
    if (vector_inner)
      s.vectorize(vi, std::min(vec, VB), TailStrategy::GuardWithIf).unroll(ti);
    else
      s.vectorize(ti).unroll(vi);
  };
  out.compute_root();
  if (!static_t) tile(out.specialize(c.register_extent >= TB), TailStrategy::ShiftInwards);
  tile(out, TailStrategy::GuardWithIf);

  // Rows of acc padded to whole vectors: a block narrower than a vector (the
  // last 2 of 10 outputs) otherwise stores vectors that overlap the next
  // row's, and every accumulation waits on the store before it (fc2's
  // forward: 0.30 ms, against 0.006 for oneDNN).
  const TailStrategy vector_tail = c.vector_padded ? TailStrategy::RoundUp : TailStrategy::GuardWithIf;
  acc.compute_at(out, rows_parallel ? fused_rows : to).align_storage(V, vec).vectorize(V, vec, vector_tail);
  Var avo("avo"), avi("avi"), ato("ato"), ati("ati");
  std::vector<VarOrRVar> order = {avi, avo, ati};
  if (two) order.push_back(a[2]);
  for (const RVar &r : acc.rvars(0)) order.push_back(r);
  order.push_back(ato);
  for (size_t k = two ? 3 : 2; k < a.size(); ++k) order.push_back(a[k]);
  acc.update()
      .split(V, avo, avi, vec, vector_tail)
      .split(T, ato, ati, TB, TailStrategy::GuardWithIf)
      .reorder(order)
      .vectorize(avi)
      .unroll(avo)
      .unroll(ati);
  if (c.whole_register_axis) acc.update().unroll(acc.rvars(0).front());
  if (two) acc.update().unroll(a[2], c.second_register_extent);
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
