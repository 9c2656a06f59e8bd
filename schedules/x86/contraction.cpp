//===- contraction.cpp - x86 schedules of the contractions ------------------===//
//
// Convolutions and dense layers as contractions (ContractionLoops): blocks
// of sums held in registers while the whole reduction runs, the operands
// copied to the layouts the blocks read; dense forwards as dot products.
//
//===----------------------------------------------------------------------===//
#include "schedules/x86/loops.h"

#include <algorithm>
#include <numeric>
#include <optional>
#include <vector>

namespace cpq::schedules::x86 {

using namespace Halide;

namespace {

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

} // namespace

/// A contraction (ContractionLoops, stages.h): the result is tiled into blocks of
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
  // extent and the natural one does not (24 = 3 x 8 lanes), unless acc may
  // run over zeros to whole vectors (24 = 2 x 16 lanes, 8 of them zeros:
  // LeNet-5's conv1 forward 0.247-0.253 -> 0.179-0.195 ms).
  const int natural = std::max(1, target.natural_vector_size(Float(32)));
  int vec = natural;
  if (vec >= 16 && c.vector_extent % vec != 0 && c.vector_extent % (vec / 2) == 0 && !c.vector_padded) vec /= 2;
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
  // A block's accumulators over whole vectors where acc may run over zeros:
  // a last block past the result's end (40 outputs in 16-lane vectors, 3 a
  // block) otherwise has an extent Halide cannot prove constant once the
  // blocks are fused with the rows, and its vectors cannot be unrolled.
  if (c.vector_padded) acc.bound_extent(V, VB);
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
      .unroll(ati);
  // Blocks fused with the rows and not padded: the vectors a block holds
  // vary with the row (a dense input gradient of 24 features in 8-lane
  // vectors, 5 outputs): a loop, not unrolled (Halide unrolls only constant
  // extents; such a schedule failed to compile before).
  if (c.vector_padded || !rows_parallel) acc.update().unroll(avo);
  if (c.whole_register_axis) acc.update().unroll(acc.rvars(0).front());
  if (two) acc.update().unroll(a[2], c.second_register_extent);
}

} // namespace cpq::schedules::x86
