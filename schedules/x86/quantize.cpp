//===- quantize.cpp - x86 hand schedules of the quantize op -----------------===//
//
// This file implements the x86 hand schedules of the quantizer's pipelines.
//
// Element-wise loops: the innermost dimension is split into chunks of at most
// kChunk elements (equal parts of it when its extent is known); chunks,
// channels and the outer dimension are fused into one
// parallel loop, and each chunk is vectorised at the natural width. Tails are
// guarded, so any size (1, 3, 1000003) is valid. In a network, where the
// inner dimension may flatten rows of a tensor (C x H x W), chunks are whole
// rows and vectors stay within a row; except in the backward's element loop
// when rows are not whole vectors (24 = 16 + 8), where blocks of whole rows
// of x and dL/dx_hat are first copied flat and vectors cross rows.
//
// Backward: the per-element gradients (two exps per element on uniform
// survivors, one per visited edge on others) are computed once, into a
// buffer, per chunk in parallel; a network's consumers read dL/dx straight
// from that buffer (a standalone kernel, whose output it is, copies it). (Measured
// alternative: recomputing dL/dx in a lighter loop of its own and summing the
// rest chunk by chunk from cache, with no tensor-sized buffer, ran at 0.6-0.75x:
// the edge loops, not memory, bound the backward.) The per-channel sums are
// rfactored over chunks of the inner dimension (a thread each) and over the
// lanes of a vector, then added up in order: no two threads write one sum.
//
//===----------------------------------------------------------------------===//
#include "schedules/x86/x86.h"

#include <algorithm>
#include <numeric>

namespace cpq::schedules::x86 {
using namespace Halide;

namespace {

/// Elements of the innermost dimension one thread takes at a time (the hand
/// value of the knob "chunk").
constexpr int kChunk = 8192;
const std::vector<int> kChunks = {1024, 2048, 4096, 8192, 16384, 32768, 65536};

/// The chunk taken along i: the inner extent (a constant in a network, the
/// input's extent at run time in a standalone kernel) cut into equal parts
/// of at most `chunk` elements, each a whole number of vectors. (A chunk
/// longer than the extent is run in full, its vectors past the end masked
/// but computed: a 5x5 filter's 25 elements per channel cost as much as
/// 8192; LeNet-5 W2A2's quantizers did 1.3-16x the work they needed, and a
/// standalone kernel took 1.6 ms on a 25 x 6 filter bank, 3 us now.)
Expr chunk_along_i(const QuantizeLoops &q, int chunk, int vec) {
  if (!q.inner_extent.defined()) return chunk;
  const Expr inner = max(q.inner_extent, 1);
  const Expr parts = (inner + (chunk - 1)) / chunk;
  // ceil(inner / parts) written so that the simplifier does not rewrite it
  // into inner * (chunk + 1) / chunk, which overflows int32 at run time for
  // a million elements.
  const Expr part = (inner - 1) / parts + 1;
  return Internal::simplify(((part + (vec - 1)) / vec) * vec);
}

/// Rows (see QuantizeLoops::row_extent) at least this long are vectorised
/// within each row; shorter ones (a 3x3 or 5x5 filter's) across rows.
constexpr int kMinRow = 8;

/// The vector loop of an element-wise nest: its variable (one iteration a
/// vector) and its lanes.
struct VectorLoop {
  Var var;
  int lanes;
};

/// Chunked, parallel, vectorised loop nest over (i, c, n) for `f`. When i
/// flattens rows of a tensor, chunks are whole rows and vectors stay inside
/// a row (the last one of a row shifted inwards when the row is not a whole
/// number of them): across rows, the view's div and mod turn every load of
/// the tensor into a gather (LeNet-5's 24-wide rows ran so at a third of
/// the speed).
VectorLoop schedule_elementwise(Func f, const QuantizeLoops &q, int vec, int chunk) {
  Var ii("ii"), t("t");
  if (q.row_extent >= kMinRow && q.inner_extent.defined()) {
    int lanes = vec;
    while (lanes > q.row_extent) lanes /= 2;
    Var r("r"), ro("ro"), ri("ri");
    f.split(q.i, r, ii, q.row_extent)
        .split(r, ro, ri, std::max(1, chunk / q.row_extent), TailStrategy::GuardWithIf)
        .fuse(ro, q.c, t)
        .fuse(t, q.n, t)
        .parallel(t)
        .vectorize(ii, lanes, TailStrategy::ShiftInwards);
    // Unrolled, each vector's offset in its row is a constant, so the
    // simplifier sees that it does not cross into the next row (or plane).
    if (q.row_extent <= 8 * lanes) f.unroll(ii);
    return {ii, lanes};
  }
  Var io("io");
  f.split(q.i, io, ii, chunk_along_i(q, chunk, vec), TailStrategy::GuardWithIf)
      .fuse(io, q.c, t)
      .fuse(t, q.n, t)
      .parallel(t)
      .vectorize(ii, vec, TailStrategy::GuardWithIf);
  return {ii, vec};
}

/// The rows a chunk of the staged element loop takes: whole rows, a whole
/// number of vectors, at most `chunk` elements (but at least one vector's
/// worth), in equal parts of the inner dimension's `total` rows.
int staged_rows(int row, int total, int vec, int chunk) {
  const int multiple = vec / std::gcd(row, vec); // rows making a whole number of vectors
  const int most = std::max(multiple, chunk / row / multiple * multiple);
  const int parts = (total + most - 1) / most;
  const int even = (total + parts - 1) / parts;
  return (even + multiple - 1) / multiple * multiple;
}

/// The backward's element loop over rows that are not a whole number of
/// vectors (24 = 16 + 8 lanes: vectors kept inside rows compute a third
/// more lanes than elements, and the edge loops dominate). Each block of
/// the fewest whole rows that are whole vectors (2 rows of 24: 3 vectors)
/// first copies the tensors it reads (QuantizeLoops::views) into flat
/// buffers, row by row (vectors inside rows, so that the view's div and mod
/// fold away); the element loop then runs whole vectors across the copied
/// rows. (Copied per chunk of 256 rows instead, the copy loop waits on
/// memory with no work to overlap: 3.2-3.4 ms against 3.1-3.3 for
/// LeNet-5's conv1 activation at batch 64.) Returns no
/// vector loop (lanes 0) where this does not apply: no views, rows a whole
/// number of vectors, an unknown extent.
VectorLoop schedule_staged_rows(Func f, const QuantizeLoops &q, int vec, int chunk) {
  const int row = q.row_extent;
  const Expr extent = q.inner_extent.defined() ? Internal::simplify(q.inner_extent) : Expr();
  const int64_t *inner = extent.defined() ? Internal::as_const_int(extent) : nullptr;
  if (q.views.empty() || row < kMinRow || row % vec == 0 || !inner || *inner % row != 0) return {Var(), 0};
  const int rows = staged_rows(row, int(*inner / row), vec, chunk);
  const int block = vec / std::gcd(row, vec) * row; // the fewest whole rows that are whole vectors
  Var io("io"), ii("ii"), t("t"), b("b");
  f.split(q.i, io, ii, rows * row, TailStrategy::GuardWithIf)
      .fuse(io, q.c, t)
      .fuse(t, q.n, t)
      .parallel(t)
      .split(ii, b, ii, block, TailStrategy::GuardWithIf)
      .vectorize(ii, vec, TailStrategy::GuardWithIf);
  int lanes = vec;
  while (lanes > row) lanes /= 2;
  for (Func view : q.views) {
    Var r("r"), x("x");
    view.compute_at(f, b)
        .split(q.i, r, x, row, TailStrategy::GuardWithIf)
        .vectorize(x, lanes, TailStrategy::ShiftInwards);
    if (row <= 8 * lanes) view.unroll(x);
  }
  return {ii, vec};
}
} // namespace

/// Every Func of the quantizer's loops, for profiles.
void cover(const QuantizeLoops &q, Choices &c) {
  for (const Func &f : {q.x_hat, q.element, q.grad_x, q.channel_sums, q.grad_alpha, q.grad_sigma, q.gate_sums})
    if (f.defined()) c.covers(f.name());
  for (const std::vector<Func> *list : {&q.tables, &q.edge_sums, &q.element_helpers, &q.per_channel})
    for (const Func &f : *list) c.covers(f.name());
}

void schedule_quantize_forward(const QuantizeLoops &q, const Target &target, Choices &c, bool may_inline) {
  cover(q, c);
  // Knobs: inline (1: x_hat fused into its consumers, no buffer), chunk,
  // vector_width.
  for (Func t : q.tables) t.compute_root();
  const int natural = target.natural_vector_size<float>();
  const bool inlined = may_inline && c.choose("inline", {0, 1}, 0);
  const int chunk = c.choose("chunk", kChunks, kChunk); // asked even when inlined: the space has fixed knobs
  const int vec = c.choose("vector_width", {natural / 2, natural, 2 * natural}, natural);
  if (inlined) {
    Func(q.x_hat).compute_inline();
    return;
  }
  Func(q.x_hat).compute_root();
  schedule_elementwise(q.x_hat, q, vec, chunk);
}

void schedule_quantize_backward(const QuantizeLoops &q, const Target &target, Choices &c, bool grad_x_inline) {
  cover(q, c);
  // Knobs: chunk (of the element loops and the per-channel sums),
  // vector_width (of the element loops).
  const int natural = target.natural_vector_size<float>(), vec_d = target.natural_vector_size<double>();
  const int chunk = c.choose("chunk", kChunks, kChunk);
  // Hand: two vectors an iteration. Each element's edge loop is a chain
  // of dependent steps (running products, sums); two vectors give the core
  // two independent chains (LeNet-5 W4A4, fc1's weight: 0.84-0.91 -> 0.55-0.69
  // ms a step).
  const int vec = c.choose("vector_width", {natural / 2, natural, 2 * natural}, 2 * natural);
  for (Func t : q.tables) t.compute_root();
  for (Func f : q.per_channel) f.compute_root();
  Func element = q.element, channel_sums = q.channel_sums;
  // Per-channel sums: rfactor over chunks of the inner dimension (a thread
  // each), then over the lanes of a vector within a chunk.
  RVar ro("ro"), rv("rv"), rvo("rvo"), rvi("rvi");
  Var u("u"), lane("lane");
  // A known extent that fits one chunk is one chunk exactly: split past its
  // end, Halide 14's loop partitioning dropped the whole pipeline of a
  // 24-element quantizer gradient at batch 1 (every output left unwritten,
  // no error).
  Expr sum_chunk = chunk_along_i(q, chunk, vec);
  if (q.inner_extent.defined())
    if (const std::optional<int64_t> inner = constant_int(q.inner_extent))
      if (const std::optional<int64_t> part = constant_int(sum_chunk); part && *inner < *part) sum_chunk = int(*inner);
  Func partial = channel_sums.update().split(q.over_elements.x, ro, rv, sum_chunk).rfactor(ro, u);
  c.covers(partial.name());
  partial.compute_root().parallel(u);
  partial.update().parallel(u);
  Func lanes = partial.update().split(rv, rvo, rvi, vec_d).rfactor(rvi, lane);
  c.covers(lanes.name());
  lanes.compute_at(partial, u).vectorize(lane);
  lanes.update().vectorize(lane);
  channel_sums.compute_root();
  if (q.gate_sums.defined()) Func(q.gate_sums).compute_root();

  // bound_storage: one vector's worth, on the stack (an RDom predicate, as the
  // gated kernels' skipped sub-grids use, hides that size from bounds
  // inference, which then allocates on the heap per vector).
  auto at_vector = [&](Func consumer, const VectorLoop &loop, const std::vector<Func> &helpers,
                       const std::vector<Func> &sums) {
    const int lanes = loop.lanes;
    const LoopLevel level(consumer, loop.var);
    for (Func h : helpers)
      h.compute_at(level).bound_storage(q.i, lanes).vectorize(q.i, lanes, TailStrategy::GuardWithIf);
    for (Func e : sums) {
      e.compute_at(level).bound_storage(q.i, lanes).vectorize(q.i, lanes, TailStrategy::GuardWithIf);
      for (int u = 0; u < e.num_update_definitions(); ++u) {
        e.update(u).vectorize(q.i, lanes, TailStrategy::GuardWithIf);
        // A window of constant extent (grids of up to kUnrolledEdges edges)
        // unrolled: the running sums stay in registers. (The extents are the
        // definition's: Func::rvars gives RVars without their domain.)
        for (const Internal::ReductionVariable &edge : e.function().update(u).schedule().rvars())
          if (const int64_t *n = Internal::as_const_int(edge.extent); n && *n <= kUnrolledEdges)
            e.update(u).unroll(RVar(edge.var));
      }
    }
  };
  // The per-element gradients are computed once into a buffer, per chunk in
  // parallel; dL/dx is read from it where it may be (inline: 8 bytes an
  // element less to move than a copy), else copied.
  element.compute_root();
  VectorLoop loop = schedule_staged_rows(element, q, vec, chunk);
  if (loop.lanes == 0) loop = schedule_elementwise(element, q, vec, chunk);
  else
    for (const Func &view : q.views) c.covers(view.name());
  at_vector(element, loop, q.element_helpers, q.edge_sums);
  if (grad_x_inline) {
    Func(q.grad_x).compute_inline();
    return;
  }
  Func(q.grad_x).compute_root();
  schedule_elementwise(q.grad_x, q, vec, chunk);
}

void schedule_quantize_forward(const QuantizeLoops &q, const Target &target) {
  Choices hand;
  hand.stage("x_hat", "quantize");
  schedule_quantize_forward(q, target, hand, false);
}

void schedule_quantize_backward(const QuantizeLoops &q, const Target &target) {
  Choices hand;
  hand.stage("grad_x", "quantize_grad");
  schedule_quantize_backward(q, target, hand, false);
}

} // namespace cpq::schedules::x86
