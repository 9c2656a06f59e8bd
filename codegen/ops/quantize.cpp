//===- quantize.cpp - Halide builder of the cpq.quantize op ----------------===//
//
// This file implements the forward and fused backward of the CPQ quantizer
// as Halide Funcs (cpq-method.md sections 2-4). Each formula mirrors
// kernels/include/cpq/kernels/quantizer_reference.h, which the tests compare
// against.
//
//===----------------------------------------------------------------------===//
#include "codegen/ops/quantize.h"

#include "cpq/kernels/quantizer_reference.h"

namespace cpq::codegen {
using namespace Halide;

SurvivorGeometry hierarchical_survivors(GridSpec grid, const Expr &keep) {
  SurvivorGeometry s;
  const float t_per_q = grid.t_per_q();
  if (!grid.supports_dropbits()) {
    // Symmetric grids take no mask (section 4): all points survive.
    s.keep_ok = keep == cast<int32_t>(all_levels(grid.bits));
    s.step = 1.0f;
    s.q_first = static_cast<float>(grid.q_min());
    s.q_last = static_cast<float>(grid.q_max());
    s.count = grid.num_points();
    s.t_first = grid.t_of_level(grid.q_min());
    s.cell_t = static_cast<float>(grid.q_step()) * t_per_q;
    return s;
  }
  // Levels 1..top survive: keep = 0b1..10 with `top` ones above bit 0.
  Expr upper = cast<uint32_t>(keep) >> 1;
  Expr top = min(cast<int32_t>(count_trailing_zeros(~upper)), grid.bits);
  s.keep_ok = keep == (cast<int32_t>(1) << (top + 1)) - 2;
  Expr shift = grid.bits - top;
  Expr step_i = cast<int32_t>(1) << shift;
  s.step = cast<float>(step_i);
  s.q_first = static_cast<float>(grid.q_min());
  // The highest multiple of 2^shift on the grid: q_max + 1 - 2^shift.
  s.q_last = cast<float>(grid.q_max() + 1 - step_i);
  s.count = cast<int32_t>(1) << top;
  s.t_first = grid.t_of_level(grid.q_min());
  s.cell_t = s.step * t_per_q;
  return s;
}

namespace {
/// The mode's level, float32 in the reference's order (section 2):
/// floor(v / 2^shift + 0.5) * 2^shift or 2 floor(v) + 1, clamped.
/// strict_float: Halide may otherwise reassociate (x / alpha) / step.
Expr mode_level(GridSpec grid, const SurvivorGeometry &s, const Expr &x, const Expr &alpha) {
  Expr v = x / alpha;
  Expr r = grid.kind == GridKind::Symmetric ? 2.0f * floor(v) + 1.0f : floor(v / s.step + 0.5f) * s.step;
  // max before min, as std::fmin(std::fmax(r, lo), hi) in the reference.
  return strict_float(min(max(r, s.q_first), s.q_last));
}
} // namespace

QuantizeForward build_quantize_forward(GridSpec grid, const TensorVars &v, const Func &x, const Func &alpha,
                                       const Expr &keep) {
  const SurvivorGeometry s = hierarchical_survivors(grid, keep);
  QuantizeForward f;
  f.level = Func("level");
  f.x_hat = Func("x_hat");
  f.code = Func("code");
  Expr a = alpha(v.c);
  Expr q = mode_level(grid, s, x(v.i, v.c, v.n), a);
  f.level(v.i, v.c, v.n) =
      require(s.keep_ok, q, "cpq quantize: DropBits mask", keep,
              "is not a hierarchical mask of this grid (independent masks are not supported by this kernel)");
  Expr qv = f.level(v.i, v.c, v.n);
  f.x_hat(v.i, v.c, v.n) = strict_float(grid.kind == GridKind::Symmetric ? a * qv / 2.0f : a * qv);
  f.code(v.i, v.c, v.n) = cast<uint8_t>((cast<int32_t>(qv) - grid.q_min()) / grid.q_step());
  return f;
}

QuantizeBackward build_quantize_backward(GridSpec grid, const TensorVars &v, const Func &x, const Func &alpha,
                                         const Func &sigma, const Expr &keep, const Expr &edge_window,
                                         const Func &grad_out, const Expr &inner_extent,
                                         const Expr &outer_extent) {
  const SurvivorGeometry s = hierarchical_survivors(grid, keep);
  QuantizeBackward b;
  b.forward = build_quantize_forward(grid, v, x, alpha, keep);

  Expr xv = x(v.i, v.c, v.n), a = alpha(v.c), sg = sigma(v.c);
  // Edge j (1..count-1) lies at tau_j = t_first + (j - 1/2) cell_t. The last
  // edge at or below v is jc; the window jc - W + 1 .. jc + W is shifted to
  // stay on the grid's edges, so when x lies beyond an end it still covers
  // the W nearest edges, and with 2W >= count it covers all of them.
  Expr W = edge_window;
  Expr pos = (xv / a - s.t_first) / s.cell_t + 0.5f;
  Expr jc = cast<int32_t>(floor(clamp(pos, -1.0f - cast<float>(W), cast<float>(s.count + W))));
  Expr j_start = clamp(jc - W + 1, 1, max(1, s.count - 2 * W));
  b.over_edges = RDom(0, 2 * W, "edge");
  Expr j = j_start + b.over_edges.x;
  Expr tau = s.t_first + (cast<float>(j) - 0.5f) * s.cell_t;
  // u = (alpha tau - x) / sigma with alpha tau split into alpha_hi tau (exact:
  // alpha_hi keeps 12 significant bits, tau has at most 9) and alpha_lo tau,
  // so the difference near x is not lost to rounding (the reference uses fma).
  Expr a_hi = reinterpret<float>(reinterpret<uint32_t>(a) & Expr(static_cast<uint32_t>(0xFFFFF000u)));
  Expr a_lo = a - a_hi;
  Expr u = strict_float(((a_hi * tau - xv) + a_lo * tau) / sg);
  Expr e = exp(-abs(u));
  Expr slope = e / ((1.0f + e) * (1.0f + e));
  Expr valid = j >= 1 && j <= s.count - 1;
  Expr w = select(valid, a * s.cell_t * slope, 0.0f);
  b.edge_sums = Func("edge_sums");
  b.edge_sums(v.i, v.c, v.n) = Tuple(0.0f, 0.0f, 0.0f);
  b.edge_sums(v.i, v.c, v.n) = Tuple(b.edge_sums(v.i, v.c, v.n)[0] + w, b.edge_sums(v.i, v.c, v.n)[1] + w * u,
                                     b.edge_sums(v.i, v.c, v.n)[2] + w * tau);

  // Section 3's closed forms; the window must reach kEdgeWindow noise scales.
  Expr need = cast<int32_t>(ceil(static_cast<float>(reference::kEdgeWindow) * sg / (a * s.cell_t))) + 1;
  Expr window_ok = W >= min(need, s.count);
  Expr G = grad_out(v.i, v.c, v.n);
  Expr t_hat = b.forward.level(v.i, v.c, v.n) * grid.t_per_q();
  Expr sums_dx = b.edge_sums(v.i, v.c, v.n)[0], sums_ds = b.edge_sums(v.i, v.c, v.n)[1],
       sums_da = b.edge_sums(v.i, v.c, v.n)[2];
  b.element = Func("element_grads");
  b.element(v.i, v.c, v.n) = Tuple(
      require(window_ok, G * sums_dx / sg, "cpq quantize backward: edge_window", W,
              "is too small for sigma/alpha of channel", v.c, "; need", need),
      G * (t_hat - sums_da / sg), G * sums_ds / sg);
  b.grad_x = Func("grad_x");
  b.grad_x(v.i, v.c, v.n) = b.element(v.i, v.c, v.n)[0];

  b.over_elements = RDom(0, inner_extent, 0, outer_extent, "element");
  Halide::RVar ri = b.over_elements.x, ro = b.over_elements.y;
  b.channel_sums = Func("channel_sums");
  b.channel_sums(v.c) = Tuple(cast<double>(0), cast<double>(0));
  b.channel_sums(v.c) = Tuple(b.channel_sums(v.c)[0] + cast<double>(b.element(ri, v.c, ro)[1]),
                              b.channel_sums(v.c)[1] + cast<double>(b.element(ri, v.c, ro)[2]));
  b.grad_alpha = Func("grad_alpha");
  b.grad_sigma = Func("grad_sigma");
  b.grad_alpha(v.c) = b.channel_sums(v.c)[0];
  b.grad_sigma(v.c) = b.channel_sums(v.c)[1];
  return b;
}

} // namespace cpq::codegen
