//===- quantize.cpp - Halide builder of the cpq.quantize op ----------------===//
//
// This file implements the forward and fused backward of the CPQ quantizer
// as Halide Funcs (cpq-method.md sections 2-5). Each formula mirrors
// kernels/include/cpq/kernels/quantizer_reference.h and gates.h, which the
// tests compare against.
//
//===----------------------------------------------------------------------===//
#include "codegen/ops/quantize.h"

#include "cpq/kernels/quantizer_reference.h"
#include "schedules/stages.h"

#include <stdexcept>
#include <string>

namespace cpq::codegen {
using namespace Halide;

namespace {
/// How many of the int32 x's lowest n bits (n < 31), from bit 0 up, equal
/// `bit` before the first that does not, as a sum of n mask tests: Halide
/// 14's OpenCL back end emits calls to functions it never defines for
/// count_trailing_zeros and count_leading_zeros.
Expr trailing_run_upto(const Expr &x, int bit, int n) {
  Expr run = 0;
  for (int j = 1; j <= n; ++j) {
    const int mask = (1 << j) - 1;
    run += select((x & mask) == (bit ? mask : 0), 1, 0);
  }
  return run;
}
} // namespace

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
  Expr top = trailing_run_upto(keep >> 1, 1, grid.bits);
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

SurvivorTables survivor_tables(GridSpec grid, const Expr &keep, const std::string &prefix) {
  if (!grid.supports_dropbits())
    throw std::invalid_argument("DropBits masks are not allowed on the " + grid.name() + " grid");
  const int K = grid.num_points();
  SurvivorTables t;
  t.keep_ok = (keep & 2) == 2 && (keep & ~static_cast<int32_t>(all_levels(grid.bits))) == 0;
  t.check = Func(prefix + "mask_check");
  t.check() = require(t.keep_ok, keep, "cpq quantize: DropBits mask", keep, "keeps no level 1 or levels above the grid's",
                      grid.bits, "bits");
  Var k("k"), j("j");
  RDom r(0, K, "code");
  // Bit level of q (section 4): the smallest l with 2^(b-l) | q, i.e.
  // max(1, b - trailing zeros of q); q = 0 has 32 and lies on every sub-grid.
  Expr q = grid.q_min() + k;
  Expr level = max(1, grid.bits - trailing_run_upto(q, 0, grid.bits - 1));
  t.survives = Func(prefix + "survives");
  t.survives(k) = (t.check() >> level) & 1;
  t.below = Func(prefix + "survivor_below");
  t.below(k) = maximum(select(r <= k && t.survives(r) == 1, r, 0), prefix + "survivor_below_r");
  t.above = Func(prefix + "survivor_above");
  t.above(k) = minimum(select(r > k && t.survives(r) == 1, r, K), prefix + "survivor_above_r");
  t.rank = Func(prefix + "survivor_rank");
  t.rank(k) = sum(select(r <= k, t.survives(r), 0), prefix + "survivor_rank_r") - 1;
  t.count = Func(prefix + "survivor_count");
  t.count() = sum(t.survives(r), prefix + "survivor_count_r");
  t.code_of = Func(prefix + "survivor_code");
  t.code_of(j) = minimum(select(t.survives(r) == 1 && t.rank(r) == j, r, K), prefix + "survivor_code_r");
  // Points and edges in units of alpha, float32 as in make_surviving_grid.
  auto t_of = [&](const Expr &code) { return cast<float>(grid.q_min() + clamp(code, 0, K - 1)) * grid.t_per_q(); };
  Expr t_hi = t_of(t.code_of(j)), t_lo = t_of(t.code_of(max(j - 1, 0)));
  t.edge_tau = Func(prefix + "edge_tau");
  t.edge_tau(j) = 0.5f * (t_lo + t_hi);
  t.edge_dt = Func(prefix + "edge_dt");
  t.edge_dt(j) = t_hi - t_lo;
  return t;
}

namespace {

/// The mode's level on a uniform (sub-)grid, float32 in the reference's
/// order (section 2): floor(v / step + 0.5) * step or 2 floor(v) + 1,
/// clamped. strict_float: Halide may otherwise reassociate (x / alpha) / step.
/// The step is a power of two, so v / step is v times the exact 1 / step
/// (both round the same real number): one division per element, not two.
Expr uniform_mode_level(GridKind kind, const Expr &step, const Expr &q_first, const Expr &q_last, const Expr &x,
                        const Expr &alpha) {
  Expr v = x / alpha;
  Expr r = kind == GridKind::Symmetric ? 2.0f * floor(v) + 1.0f : floor(v * (1.0f / step) + 0.5f) * step;
  // max before min, as std::fmin(std::fmax(r, lo), hi) in the reference.
  return strict_float(min(max(r, q_first), q_last));
}

/// A uniform grid of survivors: the first point and the cell, in units of
/// alpha, and the number of points.
struct UniformGrid {
  Expr t_first, cell_t, count;
  int max_count; // the most points count may be (the grid's own)
};

/// u = (alpha tau - x) / sigma (times 1 / sigma, one division per channel,
/// not per element) with alpha tau split into alpha_hi tau (exact:
/// alpha_hi keeps 12 significant bits, tau at most 10) and alpha_lo tau, so
/// the difference near x is not lost to rounding (the reference uses fma).
Expr edge_u(const Expr &a, const Expr &tau, const Expr &x, const Expr &inv_sigma) {
  Expr a_hi = reinterpret<float>(reinterpret<uint32_t>(a) & Expr(static_cast<uint32_t>(0xFFFFF000u)));
  Expr a_lo = a - a_hi;
  return strict_float(((a_hi * tau - x) + a_lo * tau) * inv_sigma);
}

/// S'(u) = e / (1 + e)^2 for e = exp(-|u|) (or exp(-u): the form is even).
Expr slope_of(const Expr &e) { return e / ((1.0f + e) * (1.0f + e)); }

/// Sums over the visited edges of w_j, w_j u_j and w_j tau_j, with
/// w_j = alpha dt_j S'(u_j) (section 3).
struct LocalSums {
  Expr w, wu, wtau;
};

/// Where the window of a uniform grid starts for one element: the last edge
/// jc at or below x (a Func of its own, so that the edge loop reads it
/// instead of recomputing it), the edges jc + 1 and jc in units of alpha, u
/// there, and the step of u and ratio of exp(-|u|) from edge to edge (a
/// per-channel Func, so that its exp is taken once per call, not once per
/// edge and vector).
struct WindowStart {
  Expr jc, tau_up, tau_dn, u_up, u_dn, delta, ratio;
};

WindowStart window_start(const std::string &name, const UniformGrid &g, const TensorVars &v, const Expr &xv,
                         const Expr &a, const Expr &sg, Func &origin, Func &ratio) {
  // jc is clamped to 0..count-1, so that when the window is capped at the
  // number of points (W < what sigma needs) it still covers every edge for x
  // beyond an end; edges of the far side are then masked.
  // cell_t is a power of two: multiplying by its inverse is exact.
  Expr pos = (xv / a - g.t_first) * (1.0f / g.cell_t) + 0.5f;
  origin = Func(v.prefix + name + "_origin");
  origin(v.i, v.c, v.n) = cast<int32_t>(floor(clamp(pos, 0.0f, cast<float>(g.count - 1))));
  WindowStart w;
  w.jc = origin(v.i, v.c, v.n);
  w.tau_up = g.t_first + (cast<float>(w.jc) + 0.5f) * g.cell_t; // edge jc + 1
  w.tau_dn = w.tau_up - g.cell_t;                                 // edge jc
  w.u_up = edge_u(a, w.tau_up, xv, 1.0f / sg);
  w.u_dn = edge_u(a, w.tau_dn, xv, 1.0f / sg);
  w.delta = a * g.cell_t / sg;
  ratio = Func(v.prefix + name + "_ratio");
  ratio(v.c) = exp(-w.delta);
  w.ratio = ratio(v.c);
  return w;
}

/// Local sums on a uniform grid. Edge j lies at tau_j = t_first + (j - 1/2)
/// cell; with jc the last edge at or below x (0 below the grid), the window
/// is jc - W + 1 .. jc below and jc + 1 .. jc + W above. Along each side u
/// moves by delta = alpha cell / sigma per edge, so e = exp(-|u|) is a
/// running product with ratio exp(-delta): two exps per element, not one per
/// edge. Edges outside 1..count-1 (x near or beyond an end) are masked; when
/// the window reaches every edge, a single loop visits each edge once
/// instead. `active`, when defined, is a uniform condition under which the
/// sums are taken at all.
///
/// The edges above are k = 0, 1, ... edges from edge jc + 1, those below k
/// edges from edge jc: u = u_up + k delta and tau = tau_up + k cell above,
/// u = u_dn - k delta and tau = tau_dn - k cell below. The loops keep three
/// sums, of S'(u) above, of S'(u) below and of k S'(u) signed by the side,
/// and section 3's three sums follow from them. (Both sides' u are taken
/// from their own edge next to x: u_dn is not u_up - delta, whose rounding
/// error would not cancel for x on an edge of narrow noise.)
LocalSums uniform_local_sums(const std::string &name, const UniformGrid &g, const TensorVars &v, const Expr &xv,
                             const Expr &a, const Expr &sg, const Expr &W, const Expr &active, Func &sums,
                             Func &origin, Func &ratio_of_channel, const Expr &limit = Expr()) {
  const WindowStart ws = window_start(name, g, v, xv, a, sg, origin, ratio_of_channel);
  const Expr &jc = ws.jc, &tau_up = ws.tau_up, &tau_dn = ws.tau_dn, &u_up = ws.u_up, &u_dn = ws.u_dn,
             &delta = ws.delta, &ratio = ws.ratio;

  // The window reaches every edge of the grid from any x (a grid of 2 or
  // 4 points, or noise wide for its cells): then each element has exactly
  // count - 1 edges to visit, jc below and count - 1 - jc above, and one
  // loop visits them (update 1), half the slopes of a loop taking one edge
  // a side per step with the far ones masked (update 0, for the others).
  const Expr edges = g.count - 1;
  const Expr whole = (limit.defined() ? min(W, limit) : W) >= edges;
  auto predicate = [&](Expr cond) { return active.defined() ? active && cond : cond; };
  // On grids of at most kUnrolledEdges edges both loops run over that many
  // steps, masked, instead of W: a constant extent, which the schedules
  // unroll, so the running sums stay in registers (a loop of run-time
  // extent stored its five sums of two vectors to the stack every step).
  const int max_edges = g.max_count - 1;
  const bool constant = max_edges <= schedules::kUnrolledEdges;
  const Expr steps = constant ? Expr(max_edges) : W;
  RDom k(0, steps, name + "_edge");
  Expr in_window = !whole;
  if (constant) in_window = in_window && k.x < W;
  if (limit.defined()) in_window = in_window && k.x < limit;
  k.where(predicate(in_window));
  sums = Func(v.prefix + name);
  sums(v.i, v.c, v.n) = Tuple(0.0f, 0.0f, 0.0f, exp(-u_up), exp(u_dn));
  auto cur = [&](int m) { return sums(v.i, v.c, v.n)[m]; };
  // Edge jc + 1 + k above exists while k < count - 1 - jc, edge jc - k
  // below while k < jc (jc is within 0..count - 1: one bound a side).
  Expr s_up = select(k.x < edges - jc, slope_of(cur(3)), 0.0f);
  Expr s_dn = select(k.x < jc, slope_of(cur(4)), 0.0f);
  Expr kf = cast<float>(k.x);
  sums(v.i, v.c, v.n) =
      Tuple(cur(0) + s_up, cur(1) + s_dn, cur(2) + kf * (s_up - s_dn), cur(3) * ratio, cur(4) * ratio);
  // Step m takes edge jc - m below x while m < jc, then edge jc + 1 + (m -
  // jc) above, one slope a step.
  RDom e(0, steps, name + "_grid_edge");
  e.where(predicate(whole && e.x < edges));
  Expr below = e.x < jc;
  Expr s = slope_of(select(below, cur(4), cur(3)));
  Expr ef = cast<float>(e.x);
  Expr signed_k = select(below, -ef, ef - cast<float>(jc));
  sums(v.i, v.c, v.n) = Tuple(select(below, cur(0), cur(0) + s), select(below, cur(1) + s, cur(1)),
                              cur(2) + s * signed_k, select(below, cur(3), cur(3) * ratio),
                              select(below, cur(4) * ratio, cur(4)));

  Expr up = cur(0), dn = cur(1), signed_sum = cur(2);
  Expr scale = a * g.cell_t;
  LocalSums out;
  out.w = scale * (up + dn);
  out.wu = scale * ((u_up * up + u_dn * dn) + delta * signed_sum);
  out.wtau = scale * ((tau_up * up + tau_dn * dn) + g.cell_t * signed_sum);
  return out;
}

/// Local sums over any survivors, from the per-call tables: the window is
/// m - W + 1 .. m below and m + 1 .. m + W above, m the mode's index (its
/// lower edge is the last edge at or below x). One exp per visited edge.
LocalSums table_local_sums(const std::string &name, GridSpec grid, const SurvivorTables &t, const TensorVars &v,
                           const Expr &m, const Expr &xv, const Expr &a, const Expr &sg, const Expr &W, Func &sums,
                           const Expr &limit = Expr()) {
  const int K = grid.num_points();
  RDom k(0, W, name + "_edge");
  if (limit.defined()) k.where(k.x < limit);
  Expr j_up = m + 1 + k.x, j_dn = m - k.x;
  Expr count = t.count();
  Expr idx_up = clamp(j_up, 1, K - 1), idx_dn = clamp(j_dn, 1, K - 1);
  Expr tau_up = t.edge_tau(idx_up), tau_dn = t.edge_tau(idx_dn);
  Expr u_up = edge_u(a, tau_up, xv, 1.0f / sg), u_dn = edge_u(a, tau_dn, xv, 1.0f / sg);
  Expr s_up = select(j_up <= count - 1, t.edge_dt(idx_up) * slope_of(exp(-abs(u_up))), 0.0f);
  Expr s_dn = select(j_dn >= 1, t.edge_dt(idx_dn) * slope_of(exp(-abs(u_dn))), 0.0f);
  sums = Func(v.prefix + name);
  sums(v.i, v.c, v.n) = Tuple(0.0f, 0.0f, 0.0f);
  auto cur = [&](int c) { return sums(v.i, v.c, v.n)[c]; };
  sums(v.i, v.c, v.n) =
      Tuple(cur(0) + (s_up + s_dn), cur(1) + (s_up * u_up + s_dn * u_dn), cur(2) + (s_up * tau_up + s_dn * tau_dn));
  return LocalSums{a * cur(0), a * cur(1), a * cur(2)};
}

/// Edges a tensor's window must reach for section 3's sums (kEdgeWindow
/// noise scales) on survivors at least `cell_t` apart.
Expr window_needed(const Expr &sg, const Expr &a, const Expr &cell_t) {
  return cast<int32_t>(ceil(static_cast<float>(reference::kEdgeWindow) * sg / (a * cell_t))) + 1;
}

/// The per-channel float64 sums of element components 1.. and the outputs.
void add_channel_sums(QuantizeBackward &b, const TensorVars &v, int components, const Expr &inner_extent,
                      const Expr &outer_extent) {
  b.over_elements = RDom(0, inner_extent, 0, outer_extent, "element");
  RVar ri = b.over_elements.x, ro = b.over_elements.y;
  std::vector<Expr> zero, update;
  b.channel_sums = Func(v.prefix + "channel_sums");
  for (int m = 1; m < components; ++m) zero.push_back(cast<double>(0));
  b.channel_sums(v.c) = Tuple(zero);
  for (int m = 1; m < components; ++m)
    update.push_back(b.channel_sums(v.c)[m - 1] + cast<double>(b.element(ri, v.c, ro)[m]));
  b.channel_sums(v.c) = Tuple(update);
  b.grad_alpha = Func(v.prefix + "grad_alpha");
  b.grad_sigma = Func(v.prefix + "grad_sigma");
  b.grad_alpha(v.c) = b.channel_sums(v.c)[0];
  b.grad_sigma(v.c) = b.channel_sums(v.c)[1];
  b.grad_x = Func(v.prefix + "grad_x");
  b.grad_x(v.i, v.c, v.n) = b.element(v.i, v.c, v.n)[0];
}

/// The gate products of section 5 in the reference's double arithmetic:
/// Z_l = z_2 ... z_l (Z_1 = 1) and c_l = Z_l - Z_{l+1} (Z_{b+1} = 0),
/// indexed by l - 1.
struct GateCoefficients {
  std::vector<Expr> Z, c;
};

GateCoefficients gate_coefficients(int bits, const GateInputs &gates) {
  GateCoefficients g;
  g.Z.push_back(cast<double>(1));
  for (int l = 2; l <= bits; ++l) g.Z.push_back(strict_float(g.Z.back() * gates.z(l - 2)));
  for (int l = 1; l <= bits; ++l)
    g.c.push_back(l < bits ? strict_float(g.Z[l - 1] - g.Z[l]) : strict_float(g.Z[l - 1] - Expr(0.0)));
  return g;
}

/// The l-bit sub-grid of a signed or unsigned grid, l = 1..bits.
struct SubGrid {
  Expr step, q_first, q_last;
  UniformGrid uniform;
  int shift;
};

SubGrid sub_grid(GridSpec grid, int l) {
  const int shift = grid.bits - l, step = 1 << shift;
  SubGrid s;
  s.shift = shift;
  s.step = static_cast<float>(step);
  s.q_first = static_cast<float>(grid.q_min());
  s.q_last = static_cast<float>(grid.q_max() + 1 - step);
  s.uniform = UniformGrid{Expr(grid.t_of_level(grid.q_min())), Expr(static_cast<float>(step) * grid.t_per_q()),
                          Expr(1 << l), 1 << l};
  return s;
}

/// 1 / sigma of the channel, or a run-time error when the edge window
/// `visited` does not reach the `need` of its sigma / alpha: inline, or
/// (`apart`) once a channel in a Func of its own, "<prefix>window_check",
/// which a schedule may compute
/// apart from the element loops (GPU kernels raise no errors).
Expr checked_inverse_sigma(const TensorVars &v, const Expr &window_ok, const Expr &sg,
                           const Expr &visited, const Expr &need, bool apart) {
  auto checked = [&] {
    return require(window_ok, 1.0f / sg, "cpq quantize backward: edge_window", visited,
                   "is too small for sigma/alpha of channel", v.c, "; need", need);
  };
  if (!apart) return checked();
  Func check(v.prefix + "window_check");
  check(v.c) = checked();
  return check(v.c);
}

void check_gated(GridSpec grid) {
  if (!grid.supports_dropbits())
    throw std::invalid_argument("learned bit-width gates need nested sub-grids: not allowed on the " + grid.name() +
                                " grid");
  if (grid.bits < 2) throw std::invalid_argument("learned bit-width gates need at least 2 bits");
}

} // namespace

QuantizeForward build_quantize_forward(GridSpec grid, const TensorVars &v, const Func &x, const Func &alpha,
                                       const Expr &keep, DropBitsMode masks) {
  QuantizeForward f;
  f.level = Func(v.prefix + "level");
  f.x_hat = Func(v.prefix + "x_hat");
  f.code = Func(v.prefix + "code");
  Expr a = alpha(v.c), xv = x(v.i, v.c, v.n);
  if (masks == DropBitsMode::Hierarchical) {
    // The mask checked once a call, in a Func of its own (a schedule may
    // compute it apart: GPU kernels raise no errors): 1, or a run-time
    // error. The level is multiplied by it (exact: q * 1 is q), so that
    // every kernel computing a level checks the mask, also on grids whose
    // geometry does not read it (symmetric).
    const SurvivorGeometry s = hierarchical_survivors(grid, keep);
    Func mask_check(v.prefix + "mask_check");
    mask_check() = require(s.keep_ok, 1, "cpq quantize: DropBits mask", keep,
                             "is not a hierarchical mask of this grid (use a kernel built for independent masks)");
    f.level(v.i, v.c, v.n) =
        uniform_mode_level(grid.kind, s.step, s.q_first, s.q_last, xv, a) * cast<float>(mask_check());
  } else {
    // The nearest survivor of v = x / alpha is the last one at or below
    // floor(v) or the next one, whichever side of their midpoint v lies
    // (ties up); every comparison is exact, as in the reference.
    const SurvivorTables t = survivor_tables(grid, keep, v.prefix);
    const int K = grid.num_points();
    Expr vv = xv / a;
    // strict_float: Halide otherwise assumes no NaN and drops is_nan.
    Expr k_float = strict_float(select(is_nan(vv), static_cast<float>(grid.q_min()),
                                       clamp(floor(vv), static_cast<float>(grid.q_min()),
                                             static_cast<float>(grid.q_max()))));
    Expr k = clamp(cast<int32_t>(k_float) - grid.q_min(), 0, K - 1);
    Expr lo = t.below(k), hi = t.above(k);
    Expr mid = cast<float>(lo + hi + 2 * grid.q_min()) * 0.5f;
    // Halide writes a >= b as !(a < b): NaN must be excluded explicitly.
    Expr up = strict_float(hi < K && vv >= mid && !is_nan(vv));
    f.mode_index = Func(v.prefix + "mode_index");
    f.mode_index(v.i, v.c, v.n) = t.rank(k) + select(up, 1, 0);
    f.level(v.i, v.c, v.n) = cast<float>(grid.q_min() + select(up, hi, lo));
    f.survivors = t;
    f.tables = t.all();
  }
  Expr qv = f.level(v.i, v.c, v.n);
  f.x_hat(v.i, v.c, v.n) = strict_float(grid.kind == GridKind::Symmetric ? a * qv / 2.0f : a * qv);
  f.code(v.i, v.c, v.n) = cast<uint8_t>((cast<int32_t>(qv) - grid.q_min()) / grid.q_step());
  return f;
}

QuantizeForward build_gated_forward(GridSpec grid, const TensorVars &v, const Func &x, const Func &alpha,
                                    const GateInputs &gates) {
  check_gated(grid);
  const GateCoefficients gc = gate_coefficients(grid.bits, gates);
  Expr a = alpha(v.c), xv = x(v.i, v.c, v.n);
  // sum_l c_l x_hat_l from l = 1 upward, skipping c_l = 0, float32 as in
  // reference::gated_forward.
  Expr out = 0.0f;
  for (int l = 1; l <= grid.bits; ++l) {
    const SubGrid s = sub_grid(grid, l);
    Expr x_hat_l = strict_float(a * uniform_mode_level(grid.kind, s.step, s.q_first, s.q_last, xv, a));
    out = select(gc.c[l - 1] != Expr(0.0), strict_float(out + cast<float>(gc.c[l - 1]) * x_hat_l), out);
  }
  QuantizeForward f;
  f.x_hat = Func(v.prefix + "x_hat");
  f.x_hat(v.i, v.c, v.n) = out;
  return f;
}

QuantizeBackward build_quantize_backward(GridSpec grid, const TensorVars &v, const Func &x, const Func &alpha,
                                         const Func &sigma, const Expr &keep, DropBitsMode masks,
                                         const Expr &edge_window, const Func &grad_out, const Expr &inner_extent,
                                         const Expr &outer_extent, const Expr &window_limit, bool checks_apart) {
  QuantizeBackward b;
  b.forward = build_quantize_forward(grid, v, x, alpha, keep, masks);
  Expr xv = x(v.i, v.c, v.n), a = alpha(v.c), sg = sigma(v.c), W = edge_window;
  LocalSums sums;
  Expr window_ok, need;
  const Expr visited = window_limit.defined() ? window_limit : W;
  Func edge_sums;
  if (masks == DropBitsMode::Hierarchical) {
    const SurvivorGeometry s = hierarchical_survivors(grid, keep);
    Func origin, ratio;
    sums = uniform_local_sums("edge_sums", UniformGrid{s.t_first, s.cell_t, s.count, grid.num_points()}, v, xv, a, sg, W, Expr(),
                              edge_sums, origin, ratio, window_limit);
    b.element_helpers.push_back(origin);
    b.per_channel.push_back(ratio);
    need = window_needed(sg, a, s.cell_t);
    window_ok = visited >= min(need, s.count - 1); // count - 1 edges a side reach every edge
  } else {
    // Survivors are at least one level apart: size the window for that.
    const SurvivorTables &t = b.forward.survivors;
    sums = table_local_sums("edge_sums", grid, t, v, b.forward.mode_index(v.i, v.c, v.n), xv, a, sg, W, edge_sums,
                            window_limit);
    need = window_needed(sg, a, Expr(grid.t_per_q()));
    window_ok = visited >= min(need, t.count() - 1);
    b.element_helpers.push_back(b.forward.mode_index);
  }
  b.edge_sums = {edge_sums};

  // Section 3's closed forms; the window must reach kEdgeWindow noise scales.
  Expr G = grad_out(v.i, v.c, v.n);
  Expr t_hat = b.forward.level(v.i, v.c, v.n) * grid.t_per_q();
  b.element = Func(v.prefix + "element_grads");
  Expr inv_sg = checked_inverse_sigma(v, window_ok, sg, visited, need, checks_apart);
  b.element(v.i, v.c, v.n) = Tuple(G * sums.w * inv_sg, G * (t_hat - sums.wtau * inv_sg), G * sums.wu * inv_sg);
  add_channel_sums(b, v, 3, inner_extent, outer_extent);
  return b;
}

QuantizeBackward build_gated_backward(GridSpec grid, const TensorVars &v, const Func &x, const Func &alpha,
                                      const Func &sigma, const GateInputs &gates, const Expr &edge_window,
                                      const Func &grad_out, const Expr &inner_extent, const Expr &outer_extent,
                                      const Expr &channel_extent, const Expr &window_limit, bool checks_apart) {
  check_gated(grid);
  const int bits = grid.bits;
  QuantizeBackward b;
  b.forward = build_gated_forward(grid, v, x, alpha, gates);
  const GateCoefficients gc = gate_coefficients(bits, gates);
  Expr xv = x(v.i, v.c, v.n), a = alpha(v.c), sg = sigma(v.c), W = edge_window, G = grad_out(v.i, v.c, v.n);

  // The STE of each sub-grid l with c_l != 0, weighted by c_l. Sub-grid l's
  // cells are 2^(b-l) levels, so it needs ceil((W - 1) / 2^(b-l)) + 1 edges
  // per side when the full grid needs W.
  Expr need = window_needed(sg, a, Expr(grid.t_per_q()));
  const Expr visited = window_limit.defined() ? window_limit : W;
  Expr dx = 0.0f, dalpha = 0.0f, dsigma = 0.0f,
       inv_sg = checked_inverse_sigma(v, visited >= min(need, grid.num_points() - 1), sg, visited, need,
                                      checks_apart);
  std::vector<Expr> x_hat(bits);
  for (int l = 1; l <= bits; ++l) {
    const SubGrid s = sub_grid(grid, l);
    Expr q_l = uniform_mode_level(grid.kind, s.step, s.q_first, s.q_last, xv, a);
    x_hat[l - 1] = strict_float(a * q_l);
    auto on_sub_grid = [&](const Expr &w) { return ((w - 1 + ((1 << s.shift) - 1)) >> s.shift) + 1; };
    Expr W_l = on_sub_grid(W);
    Func f, origin, ratio;
    const LocalSums ls =
        uniform_local_sums("edge_sums_l" + std::to_string(l), s.uniform, v, xv, a, sg, W_l, gc.c[l - 1] != Expr(0.0),
                           f, origin, ratio, window_limit.defined() ? on_sub_grid(window_limit) : Expr());
    b.edge_sums.push_back(f);
    b.element_helpers.push_back(origin);
    b.per_channel.push_back(ratio);
    Expr c_l = cast<float>(gc.c[l - 1]);
    Expr t_hat = q_l * grid.t_per_q();
    dx += c_l * (G * ls.w * inv_sg);
    dalpha += c_l * (G * (t_hat - ls.wtau * inv_sg));
    dsigma += c_l * (G * ls.wu * inv_sg);
  }
  std::vector<Expr> element{dx, dalpha, dsigma};
  // dL/dz_k = G sum_{l>=k} (prod_{j=2..l, j!=k} z_j)(x_hat_l - x_hat_{l-1}).
  for (int k = 2; k <= bits; ++k) {
    Expr sum = 0.0f, prod = cast<double>(1);
    for (int l = 2; l <= bits; ++l) {
      if (l != k) prod = prod * gates.z(l - 2);
      if (l >= k) sum += cast<float>(prod) * (x_hat[l - 1] - x_hat[l - 2]);
    }
    element.push_back(G * sum);
  }
  b.element = Func(v.prefix + "element_grads");
  b.element(v.i, v.c, v.n) = Tuple(element);
  add_channel_sums(b, v, static_cast<int>(element.size()), inner_extent, outer_extent);

  // Gates are per tensor: sum the per-channel sums, then the chain rule
  // through z_l(log_a_l).
  Var k("k");
  b.over_channels = RDom(0, channel_extent, "channel");
  std::vector<Expr> per_level;
  for (int l = 2; l <= bits; ++l) per_level.push_back(b.channel_sums(b.over_channels)[l]);
  b.gate_sums = Func(v.prefix + "gate_sums");
  b.gate_sums(k) = cast<double>(0);
  b.gate_sums(k) += per_level.size() == 1 ? per_level[0] : mux(k, per_level);
  b.grad_log_a = Func(v.prefix + "grad_log_a");
  b.grad_log_a(k) = b.gate_sums(k) * gates.dz_dlog_a(k);
  return b;
}

Expr automatic_edge_window(GridSpec grid, const Func &alpha, const Func &sigma, const Var &channel,
                           const std::string &name, Func &stage) {
  stage = Func(name + "_edge_window");
  // The finest cell of the grid (survivors of a DropBits mask are coarser).
  // Per channel: one channel of wide noise (trained weights' sigma / alpha
  // spreads over 0.07-128 in LeNet-5's fc1) does not lengthen the others'
  // loops.
  const Expr cell = Expr(float(grid.q_step()) * grid.t_per_q());
  stage(channel) = clamp(window_needed(sigma(channel), alpha(channel), cell), 1, grid.num_points() - 1);
  return stage(channel);
}

} // namespace cpq::codegen
