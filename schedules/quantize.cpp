//===- quantize.cpp - hand schedules of the quantize op ---------------------===//
//
// This file implements the hand schedules declared in quantize.h.
//
// Element-wise loops: the innermost dimension is split into chunks of kChunk
// elements; chunks, channels and the outer dimension are fused into one
// parallel loop, and each chunk is vectorised at the natural width. Tails are
// guarded, so any size (1, 3, 1000003) is valid.
//
// Backward: the per-element gradients (two exps per element on uniform
// survivors, one per visited edge on others) are computed
// once, into a buffer, per chunk in parallel; dL/dx is a copy of them, and the
// per-channel sums are rfactored over chunks of the inner dimension, each
// partial summed by one thread, then added up in order.
//
//===----------------------------------------------------------------------===//
#include "schedules/quantize.h"

namespace cpq::schedules {
using namespace Halide;

namespace {
/// Chunked, parallel, vectorised loop nest over (i, c, n) for `f`; returns
/// the vectorised loop's variable.
Var schedule_elementwise(Func f, const QuantizeLoops &q, int vec) {
  Var io("io"), ii("ii"), t("t");
  f.split(q.i, io, ii, kChunk, TailStrategy::GuardWithIf)
      .fuse(io, q.c, t)
      .fuse(t, q.n, t)
      .parallel(t)
      .vectorize(ii, vec, TailStrategy::GuardWithIf);
  return ii;
}
} // namespace

void schedule_quantize_forward(const QuantizeLoops &q, const Target &target) {
  for (Func t : q.tables) t.compute_root();
  schedule_elementwise(q.x_hat, q, target.natural_vector_size<float>());
}

void schedule_quantize_backward(const QuantizeLoops &q, const Target &target) {
  const int vec = target.natural_vector_size<float>();
  for (Func t : q.tables) t.compute_root();
  Func element = q.element;
  element.compute_root();
  const Var ii = schedule_elementwise(element, q, vec);
  // The edge sums of a vector of elements, edges outermost.
  // bound_storage: one vector's worth, on the stack (an RDom predicate, as the
  // gated kernels' skipped sub-grids use, hides that size from bounds
  // inference, which then allocates on the heap per vector).
  for (Func helper : q.element_helpers)
    helper.compute_at(element, ii).bound_storage(q.i, vec).vectorize(q.i, vec, TailStrategy::GuardWithIf);
  for (Func edge_sums : q.edge_sums) {
    edge_sums.compute_at(element, ii).bound_storage(q.i, vec).vectorize(q.i, vec, TailStrategy::GuardWithIf);
    edge_sums.update().vectorize(q.i, vec, TailStrategy::GuardWithIf);
  }
  schedule_elementwise(q.grad_x, q, vec);

  // Per-channel sums: rfactor over chunks of the inner dimension.
  RVar ro("ro"), rv("rv");
  Var u("u");
  Func channel_sums = q.channel_sums;
  Func partial = channel_sums.update().split(q.over_elements.x, ro, rv, kChunk).rfactor(ro, u);
  partial.compute_root().parallel(u);
  partial.update().parallel(u);
  channel_sums.compute_root();
  if (q.gate_sums.defined()) Func(q.gate_sums).compute_root();
}

} // namespace cpq::schedules
