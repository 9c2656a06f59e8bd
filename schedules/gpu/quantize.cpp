//===- quantize.cpp - GPU hand schedules of the quantizer's pipelines ------===//
//
// The forward is one thread an element. The backward's per-element
// gradients are one thread an element, each thread running its element's
// window origin and edge loops in its own registers; the per-channel sums
// are a reduction in two kernels: chunks of a channel's elements, a thread
// each (rfactor), then a thread a channel over its chunks.
//
//===----------------------------------------------------------------------===//
#include "schedules/gpu/gpu.h"

namespace cpq::schedules::gpu {

using namespace Halide;

namespace {

/// f(i, c, n) at root: i along the threads' first axis, (c, n) fused along
/// the second; returns the thread variable along i.
Var per_element(Func f, const QuantizeLoops &q, Tiles t) {
  Var cn("cn"), bx("bx"), by("by"), tx("tx"), ty("ty");
  f.compute_root()
      .fuse(q.c, q.n, cn)
      .gpu_tile(q.i, cn, bx, by, tx, ty, t.x, t.y, TailStrategy::GuardWithIf);
  return tx;
}

} // namespace

void schedule_quantize_forward(const QuantizeLoops &q, const Target &, Choices &c) {
  const Tiles t = ask_tiles(c);
  for (const Func &table : q.tables) gpu_root(table, c, t);
  c.covers(Func(q.x_hat).name());
  per_element(q.x_hat, q, t);
  checks_on_host({q.x_hat});
}

void schedule_quantize_backward(const QuantizeLoops &q, const Target &, Choices &c) {
  const Tiles t = ask_tiles(c);
  // Elements a thread of the first reduction step sums.
  const int chunk = c.choose("chunk", {64, 256, 1024, 4096}, 256);
  for (const Func &table : q.tables) gpu_root(table, c, t);
  for (const Func &f : q.per_channel) gpu_root(f, c, t);
  Func element = q.element;
  c.covers(element.name());
  const Var thread = per_element(element, q, t);
  // The window's origin and the edge loops in each thread's registers.
  for (Func h : q.element_helpers) {
    c.covers(h.name());
    h.compute_at(element, thread);
  }
  for (Func e : q.edge_sums) {
    c.covers(e.name());
    e.compute_at(element, thread);
  }
  c.covers(Func(q.grad_x).name());
  per_element(q.grad_x, q, t);

  Func channel_sums = q.channel_sums;
  RVar ro("ro"), ri("ri");
  Var u("u");
  Func partial = channel_sums.update().split(q.over_elements.x, ro, ri, chunk).rfactor(ro, u);
  gpu_root(partial, c, t);
  gpu_root(channel_sums, c, t);
  for (const Func &f : {q.grad_alpha, q.grad_sigma})
    if (f.defined()) gpu_root(f, c, t);
  if (q.gate_sums.defined()) gpu_root(q.gate_sums, c, t);
  checks_on_host({q.grad_x, q.grad_alpha, q.grad_sigma, q.gate_sums});
}

} // namespace cpq::schedules::gpu
