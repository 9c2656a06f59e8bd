//===- contractions.cpp - Halide builders of convolutions and dense layers --===//
//
// This file implements the convolutions, dense layers and their gradients
// as Halide Funcs, each with the accumulator and operand copies its
// contraction schedule reads (schedules/stages.h), and the helpers of
// windows.h. The sums accumulate in float32, like every BLAS.
//
//===----------------------------------------------------------------------===//
#include "codegen/ops/layers.h"
#include "codegen/ops/windows.h"

#include <optional>
#include <stdexcept>

namespace cpq::codegen {

using namespace Halide;

namespace {
/// AVX-512's floats (two AVX2 vectors): operands are laid out, and rows
/// padded, for vectors of this many lanes.
constexpr int kLanes = 16;
} // namespace

Func padded(const TensorValue &x, const Expr &value) {
  Region bounds;
  for (int k = x.rank() - 1; k >= 0; --k) bounds.push_back(Range(0, x.dim(k)));
  return BoundaryConditions::constant_exterior(x.f, value, bounds);
}

Func zero_padded(const TensorValue &x, const Window2d &win) {
  return win.ph == 0 && win.pw == 0 ? x.f : padded(x, cast(x.type, 0));
}

Expr window_extent(const Expr &in, int k, int s, int p) { return Internal::simplify((in + 2 * p - k) / s + 1); }

TensorValue contraction_result(const std::string &name, const std::vector<Var> &args, const Func &acc,
                               const std::vector<Expr> &acc_args, std::vector<Expr> shape,
                               std::vector<schedules::Relayout> relayouts, int64_t vector_extent,
                               Expr register_extent, Type type) {
  Func f(name);
  f(args) = acc(acc_args);
  std::vector<Expr> extents(shape.rbegin(), shape.rend());
  TensorValue t{f, std::move(shape), type};
  t.contraction = schedules::ContractionLoops{acc, std::move(relayouts), int(vector_extent), std::move(register_extent),
                                              std::move(extents)};
  return t;
}

// The ungrouped convolutions accumulate with the channel axis innermost
// (acc(o, j, i, n) for the forward pass): a vector of output channels times a
// run of positions stays in registers while the reduction runs, each step one
// vector load of the filter (copied channel-innermost) and scalar broadcasts
// of the input. Grouped ones keep the direct form, vectorized along the width.

TensorValue conv2d(const std::string &name, const TensorValue &x, const TensorValue &w, const TensorValue *bias,
                   Window2d win, int groups) {
  const int64_t O = static_extent(w.dim(0), name + " filter"), Cg = static_extent(w.dim(1), name + " filter");
  win.kh = int(static_extent(w.dim(2), name + " filter")), win.kw = int(static_extent(w.dim(3), name + " filter"));
  const int64_t Og = O / groups;
  const std::vector<Expr> shape = {x.dim(0), Expr(int(O)), window_extent(x.dim(2), win.kh, win.sh, win.ph),
                                   window_extent(x.dim(3), win.kw, win.sw, win.pw)};
  Var j("j"), i("i"), o("o"), n("n");
  RDom r(0, win.kw, 0, win.kh, 0, int(Cg), name + "_r");
  const Expr init = bias ? Expr(bias->f(o)) : Expr(0.0f);
  const int64_t OW = static_extent(shape[3], name + " output width");
  if (groups == 1 && Cg * win.kh * win.kw < 64) {
    // A first layer's few terms per output: a transposed store would cost
    // more than they do, so accumulate along the width (output layout).
    // Rows that are not whole AVX-512 vectors run to whole vectors over
    // zeros past the input's columns: the VGG-style stem's 28 (the form
    // before stored 7 positions x 32 channels transposed: 0.131-0.136 ms,
    // 0.084 now) and LeNet-5's conv1's 24 (as 3 vectors of 8 lanes:
    // 0.247-0.253 ms, as 2 of 16 0.179-0.195).
    const bool whole = OW % kLanes == 0;
    Func xin = whole ? zero_padded(x, win) : padded(x, 0.0f);
    Func acc(name + "_acc");
    acc(j, o, i, n) = init;
    acc(j, o, i, n) += xin(j * win.sw + r.x - win.pw, i * win.sh + r.y - win.ph, r.z, n) * w.f(r.x, r.y, r.z, o);
    // A padded input is copied once, so the vector loads need no bounds tests.
    std::vector<schedules::Relayout> copies;
    if (!whole || win.ph || win.pw) copies.push_back({xin, x.f});
    TensorValue t = contraction_result(name, {j, i, o, n}, acc, {j, o, i, n}, shape, copies, OW, Expr(int(O)));
    t.contraction->vector_padded = !whole;
    return t;
  }
  if (groups == 1) {
    Func xin = zero_padded(x, win);
    Var kx("kx"), ky("ky"), c("c");
    Func wt(name + "_filter_oc");
    wt(o, kx, ky, c) = w.f(kx, ky, c, o);
    Func acc(name + "_acc");
    acc(o, j, i, n) = init;
    acc(o, j, i, n) += xin(j * win.sw + r.x - win.pw, i * win.sh + r.y - win.ph, r.z, n) * wt(o, r.x, r.y, r.z);
    return contraction_result(name, {j, i, o, n}, acc, {o, j, i, n}, shape, {{wt, w.f}}, O, Expr(int(OW)));
  }
  Func xp = padded(x, 0.0f);
  const Expr channel = (o / int(Og)) * int(Cg) + r.z;
  Func f(name);
  f(j, i, o, n) = init;
  f(j, i, o, n) += xp(j * win.sw + r.x - win.pw, i * win.sh + r.y - win.ph, channel, n) * w.f(r.x, r.y, r.z, o);
  return {f, shape, Float(32)};
}

TensorValue conv2d_grad_input(const std::string &name, const TensorValue &dy, const TensorValue &x,
                              const TensorValue &w, Window2d win, int groups) {
  const int64_t O = static_extent(w.dim(0), name + " filter"), Cg = static_extent(w.dim(1), name + " filter");
  win.kh = int(static_extent(w.dim(2), name + " filter")), win.kw = int(static_extent(w.dim(3), name + " filter"));
  const int64_t Og = O / groups;
  Func dyp = padded(dy, 0.0f);
  Var xw("xw"), yh("yh"), c("c"), n("n");
  RDom r(0, win.kw, 0, win.kh, 0, int(Og), name + "_r");
  // Output position (oy, ox) reads input (oy * s + k - p): invert it.
  const Expr hy = yh + win.ph - r.y, hx = xw + win.pw - r.x;
  auto strided = [&](Expr term) {
    return win.sh > 1 || win.sw > 1 ? select(hy % win.sh == 0 && hx % win.sw == 0, term, 0.0f) : term;
  };
  // Channel-innermost only where there are channels enough for a vector
  // (not for a first layer's one or three).
  if (groups == 1 && Cg >= 8) {
    Var kx("kx"), ky("ky"), oc("oc");
    Func wt(name + "_filter_ic");
    wt(c, kx, ky, oc) = w.f(kx, ky, c, oc);
    Func acc(name + "_acc");
    acc(c, xw, yh, n) = 0.0f;
    const int64_t XW = static_extent(x.dim(3), name + " input width");
    const Expr H = dy.dim(2);
    if (win.sh == 1 && win.sw == 1 && XW <= 12) {
      // Rows narrow enough for one block (LeNet-5's conv2, 12 columns): the
      // sum runs over dy's columns u instead of the kernel's, kx = xw + pw -
      // u. With the whole row one block and u unrolled, each (xw, u) pair is
      // a constant: the pairs outside the kernel are left out at compile
      // time, so no term multiplies a zero (along kx with zero columns
      // either side, 60 terms a row for 40; 2.9-3.5 ms against oneDNN's
      // 1.9), and dy is read where it lies. Kernel rows that read outside
      // dy are left out per output row (Halide narrows the loop); the clamps
      // are no-ops that tell bounds inference so.
      const int64_t U = static_extent(dy.dim(3), name + " output gradient width");
      RDom rc(0, int(U), 0, win.kh, 0, int(Og), name + "_r");
      const Expr kx = xw + win.pw - rc.x, row = yh + win.ph - rc.y;
      rc.where(kx >= 0 && kx < win.kw && row >= 0 && row <= H - 1);
      acc(c, xw, yh, n) += dy.f(rc.x, clamp(row, 0, H - 1), rc.z, n) * wt(c, clamp(kx, 0, win.kw - 1), rc.y, rc.z);
      TensorValue t = contraction_result(name, {xw, yh, c, n}, acc, {c, xw, yh, n}, x.shape, {{wt, w.f}}, Cg,
                                         Expr(int(XW)));
      t.contraction->whole_register_axis = true;
      return t;
    }
    // Kernel rows that read padding only add zeros: leave them out (Halide
    // narrows the r.y loop per output row; columns stay in the register tile).
    r.where(hy >= 0 && hy <= (dy.dim(2) - 1) * win.sh);
    // Positions whose window reaches past dy's columns load through a
    // bounds test. Where they are most of a row (LeNet-5's conv2: 8 of 12),
    // dy is copied once with zero columns either side instead, and the
    // loads need none; rows need none either way (the where above: the
    // clamp, a no-op, tells bounds inference so and keeps the copy as small
    // as dy's rows). The copy's block holds at most 12 accumulators: with
    // 24, LLVM 14 spilled them inside the reduction (conv2: 5-6 ms against
    // 2.9-3.6 with 12 and 3.4 for the tested loads).
    if (win.sh == 1 && win.sw == 1 && 4 * (win.kw - 1 - win.pw) >= XW) {
      Var u("u"), v("v"), o("o");
      const Expr W = dy.dim(3);
      Func dyc(name + "_dy_columns");
      dyc(u, v, o, n) = select(u >= 0 && u < W, dy.f(clamp(u, 0, W - 1), v, o, n), 0.0f);
      acc(c, xw, yh, n) += dyc(hx, clamp(hy, 0, H - 1), r.z, n) * wt(c, r.x, r.y, r.z);
      TensorValue t = contraction_result(name, {xw, yh, c, n}, acc, {c, xw, yh, n}, x.shape,
                                         {{wt, w.f}, {dyc, dy.f}}, Cg, Expr(int(XW)));
      t.contraction->max_accumulators = 12;
      return t;
    }
    acc(c, xw, yh, n) += strided(dyp(hx / win.sw, hy / win.sh, r.z, n) * wt(c, r.x, r.y, r.z));
    return contraction_result(name, {xw, yh, c, n}, acc, {c, xw, yh, n}, x.shape, {{wt, w.f}}, Cg, Expr(int(XW)));
  }
  const std::optional<int64_t> in_w = schedules::constant_int(x.dim(3)), in_h = schedules::constant_int(x.dim(2));
  if (groups == 1 && win.sh == 1 && win.sw == 1 && in_w && in_h) {
    // Few input channels (a first layer's one or three): vectors along the
    // input's width times a run of its rows in registers, each step one
    // broadcast weight for the whole block. dy is read from a copy with
    // zeros around it, per image, so no load needs a bounds test (LeNet-5's
    // conv1 read dy through one: 7.9 ms against oneDNN's 2.0), and the
    // accumulators run to whole vectors over those zeros. (Input sizes
    // known only at run time take the direct form below.)
    const int64_t XW = *in_w, XH = *in_h;
    Var u("u"), v("v"), o("o");
    const Expr W = dy.dim(3), H = dy.dim(2);
    Func dyz(name + "_dy_zeros");
    dyz(u, v, o, n) = select(u >= 0 && u < W && v >= 0 && v < H, dy.f(clamp(u, 0, W - 1), clamp(v, 0, H - 1), o, n),
                             0.0f);
    Func acc(name + "_acc");
    acc(xw, yh, c, n) = 0.0f;
    acc(xw, yh, c, n) += dyz(hx, hy, r.z, n) * w.f(r.x, r.y, c, r.z);
    schedules::Relayout copy{dyz, dy.f};
    copy.per_image = true;
    TensorValue t = contraction_result(name, {xw, yh, c, n}, acc, {xw, yh, c, n}, x.shape, {copy}, XW, Expr(int(XH)));
    t.contraction->vector_padded = true;
    return t;
  }
  const Expr oc = groups == 1 ? Expr(r.z) : Expr((c / int(Cg)) * int(Og) + r.z);
  const Expr cc = groups == 1 ? Expr(c) : Expr(c % int(Cg));
  Func f(name);
  f(xw, yh, c, n) = 0.0f;
  f(xw, yh, c, n) += strided(dyp(hx / win.sw, hy / win.sh, oc, n) * w.f(r.x, r.y, cc, oc));
  return {f, x.shape, Float(32)};
}

TensorValue conv2d_grad_filter(const std::string &name, const TensorValue &dy, const TensorValue &x,
                               const TensorValue &w, Window2d win, int groups) {
  const int64_t O = static_extent(w.dim(0), name + " filter"), Cg = static_extent(w.dim(1), name + " filter");
  win.kh = int(static_extent(w.dim(2), name + " filter")), win.kw = int(static_extent(w.dim(3), name + " filter"));
  const int64_t Og = O / groups;
  Var v("v"), u("u"), c("c"), o("o");
  RDom r(0, dy.dim(3), 0, dy.dim(2), 0, dy.dim(0), name + "_r");
  // One input channel (a first layer): the direct form below, whose sums
  // run along dy's rows in place. The channel-innermost copy of dy that the
  // contraction reads is as large as dy (LeNet-5's conv1: 4.7 MB at batch
  // 64) for 25 products of each of its elements.
  if (groups == 1 && O >= 8 && Cg > 1) {
    Func xin = zero_padded(x, win);
    Var j("j"), i("i"), n("n");
    Func dyt(name + "_grad_oc");
    dyt(o, j, i, n) = dy.f(j, i, o, n);
    Func acc(name + "_acc");
    acc(o, v, u, c) = 0.0f;
    acc(o, v, u, c) += dyt(o, r.x, r.y, r.z) * xin(r.x * win.sw + v - win.pw, r.y * win.sh + u - win.ph, c, r.z);
    const int64_t OW = static_extent(dy.dim(3), name + " output gradient width");
    const int block = O >= 8 && OW >= 8 ? 8 : 0; // (o, j) transposed in 8 x 8 blocks
    std::vector<schedules::Relayout> copies = {{dyt, dy.f, block}};
    // A padded input copied per image with its zeros: the sums' broadcasts
    // of x otherwise each took a bounds test and a masked load (the
    // VGG-style stage1, about half the loop's instructions).
    if (win.ph || win.pw) copies.push_back({xin, x.f, 0, true});
    TensorValue t = contraction_result(name, {v, u, c, o}, acc, {o, v, u, c}, w.shape, copies, O, Expr(win.kw));
    t.contraction->second_register_extent = win.kh;
    t.contraction->batch_reduced = true;
    return t;
  }
  Func xp = padded(x, 0.0f);
  const Expr channel = groups == 1 ? Expr(c) : Expr((o / int(Og)) * int(Cg) + c);
  const std::optional<int64_t> ow = schedules::constant_int(dy.dim(3));
  Func f(name);
  f(v, u, c, o) = 0.0f;
  TensorValue t{f, w.shape, Float(32)};
  t.filter_gradient = schedules::ScheduleStage::FilterGradient{O, win.kw, ow.value_or(0)};
  if (ow && *ow % 8 != 0 && win.sw == 1) {
    // Rows that are not whole half-vectors (the VGG-style stem's 28): the
    // sums run over rows lengthened with zeros to whole vectors, read from
    // copies (see FilterGradient::row_copies).
    const int64_t wide = (*ow + 15) / 16 * 16;
    Var a("a"), b("b"), ch("ch"), n("n");
    Func dyw(name + "_dy_rows");
    // No pure definition: zeroing whole rows before copying dy over them
    // became a memset as large as dy (7.3 MB a call for the stem; 0.161-0.168
    // -> 0.141-0.158 ms without it). Only the columns past dy's are zeroed.
    dyw(a, b, ch, n) = undef<float>();
    RDom rc(0, int(*ow), name + "_row"), rz(int(*ow), int(wide - *ow), name + "_row_end");
    dyw(rc, b, ch, n) = dy.f(rc, b, ch, n);
    dyw(rz, b, ch, n) = 0.0f;
    Func xz(name + "_input_zeros");
    xz(a, b, ch, n) = 0.0f;
    RDom rx(0, x.dim(3), 0, x.dim(2), name + "_input");
    xz(rx.x, rx.y, ch, n) = x.f(rx.x, rx.y, ch, n);
    RDom rw(0, int(wide), 0, dy.dim(2), 0, dy.dim(0), name + "_r");
    f(v, u, c, o) += dyw(rw.x, rw.y, o, rw.z) * xz(rw.x + v - win.pw, rw.y * win.sh + u - win.ph, channel, rw.z);
    t.filter_gradient->width = wide;
    t.filter_gradient->row_copies = {dyw, xz};
    return t;
  }
  f(v, u, c, o) += dy.f(r.x, r.y, o, r.z) * xp(r.x * win.sw + v - win.pw, r.y * win.sh + u - win.ph, channel, r.z);
  return t;
}

TensorValue dense(const std::string &name, const TensorValue &x, const TensorValue &w, const TensorValue *bias) {
  const int64_t O = static_extent(w.dim(0), name + " weight"), I = static_extent(w.dim(1), name + " weight");
  Var o("o"), n("n"), k("k");
  if (I % kLanes == 0 && I >= 4 * kLanes) {
    // Rows of x and w both contiguous along the inputs: dot products, each
    // lane summing every 16th term, then the lanes summed; w is read as it
    // lies (the form below copies it transposed each call: LeNet-5's fc1,
    // 2 MiB, a third of its 0.23-0.33 ms).
    Var l("l");
    RDom r(0, int(I / kLanes), name + "_r");
    Func acc(name + "_lanes");
    acc(l, o, n) = 0.0f;
    acc(l, o, n) += x.f(r * kLanes + l, n) * w.f(r * kLanes + l, o);
    RDom rl(0, kLanes, name + "_lane");
    Func lane_sum(name + "_sum");
    lane_sum(o, n) = 0.0f;
    lane_sum(o, n) += acc(rl, o, n);
    Func f(name);
    f(o, n) = bias ? bias->f(o) + lane_sum(o, n) : lane_sum(o, n);
    const std::vector<Expr> shape = {x.dim(0), w.dim(0)};
    TensorValue t{f, shape, Float(32)};
    t.contraction = schedules::ContractionLoops{acc, {}, int(O), x.dim(0), {w.dim(0), x.dim(0)}};
    t.contraction->register_row_bytes = I * 4;
    t.contraction->lane_sum = lane_sum;
    t.contraction->lanes = kLanes;
    return t;
  }
  RDom r(0, int(I), name + "_r");
  Func wt(name + "_weight_t");
  // Outputs that are not whole vectors: the copy is zero past them, so the
  // accumulators may run to whole vectors unmasked.
  const bool padded = O % kLanes != 0;
  wt(o, k) = padded ? select(o < int(O), w.f(k, min(o, int(O) - 1)), 0.0f) : w.f(k, o);
  Func acc(name + "_acc");
  acc(o, n) = bias ? Expr(bias->f(padded ? min(o, int(O) - 1) : Expr(o))) : Expr(0.0f);
  acc(o, n) += x.f(r, n) * wt(o, r);
  const int block = O >= 8 && I >= 8 ? 8 : 0; // transposed in 8 x 8 blocks
  TensorValue t = contraction_result(name, {o, n}, acc, {o, n}, {x.dim(0), w.dim(0)}, {{wt, w.f, block}}, O, x.dim(0));
  t.contraction->register_row_bytes = I * 4; // images' rows of x
  t.contraction->vector_padded = padded;
  return t;
}

TensorValue dense_grad_input(const std::string &name, const TensorValue &dy, const TensorValue &w) {
  const int64_t O = static_extent(w.dim(0), name + " weight"), I = static_extent(w.dim(1), name + " weight");
  Var i("i"), n("n");
  RDom r(0, int(O), name + "_r");
  Func acc(name + "_acc");
  acc(i, n) = 0.0f;
  acc(i, n) += dy.f(r, n) * w.f(i, r);
  TensorValue t = contraction_result(name, {i, n}, acc, {i, n}, {dy.dim(0), w.dim(1)}, {}, I, dy.dim(0));
  t.contraction->register_row_bytes = O * 4; // images' rows of dy
  return t;
}

TensorValue dense_grad_weight(const std::string &name, const TensorValue &dy, const TensorValue &x) {
  const int64_t O = static_extent(dy.dim(1), name + " output gradient"),
                I = static_extent(x.dim(1), name + " input");
  Var i("i"), o("o");
  RDom r(0, x.dim(0), name + "_r");
  Func acc(name + "_acc");
  acc(i, o) = 0.0f;
  acc(i, o) += dy.f(o, r) * x.f(i, r);
  return contraction_result(name, {i, o}, acc, {i, o}, {dy.dim(1), x.dim(1)}, {}, I, Expr(int(O)));
}

} // namespace cpq::codegen
