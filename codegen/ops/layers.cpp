//===- layers.cpp - Halide builders of the cpq float layers -----------------===//
//
// This file implements the float layers and their gradients as Halide
// Funcs (the convolutions and dense layers are in contractions.cpp, the
// loss and the optimizer updates in loss_optimizers.cpp). Long sums over
// the batch that feed statistics (batch norm, bias gradients) accumulate in
// float64.
//
//===----------------------------------------------------------------------===//
#include "codegen/ops/layers.h"
#include "codegen/ops/windows.h"

#include <stdexcept>

namespace cpq::codegen {

using namespace Halide;

int64_t static_extent(const Expr &extent, const std::string &what) {
  const Expr e = Internal::simplify(extent);
  if (const int64_t *v = Internal::as_const_int(e)) return *v;
  if (const uint64_t *v = Internal::as_const_uint(e)) return int64_t(*v);
  throw std::invalid_argument(what + " must have a static size");
}

namespace {

/// Elements per channel of an NC or NCHW tensor (the batch-norm and bias
/// reductions): an RDom over every axis but 1, and how to read x at it.
struct ChannelReduction {
  RDom r;
  Expr count; // elements per channel
  Expr at(const TensorValue &t, const Expr &c) const {
    return t.rank() == 4 ? t.f(r.x, r.y, c, r.z) : t.f(c, r.x);
  }
};

ChannelReduction over_channel(const TensorValue &x, const std::string &name) {
  if (x.rank() == 4)
    return {RDom(0, x.dim(3), 0, x.dim(2), 0, x.dim(0), name), x.dim(0) * x.dim(2) * x.dim(3)};
  if (x.rank() == 2) return {RDom(0, x.dim(0), name), x.dim(0)};
  throw std::invalid_argument(name + ": expected an NC or NCHW tensor");
}

/// Per-channel value of a [C] tensor broadcast along an NC / NCHW tensor.
Expr per_channel(const TensorValue &p, const std::vector<Var> &v) { return p.f(v[1]); }

} // namespace

//===----------------------------------------------------------------------===//
// Element-wise, pooling, flatten
//===----------------------------------------------------------------------===//

TensorValue relu(const std::string &name, const TensorValue &x) {
  auto v = axis_vars(x.rank());
  return define(name, v, max(x.f(halide_args(v)), 0.0f), x.shape);
}

TensorValue relu_grad(const std::string &name, const TensorValue &dy, const TensorValue &x) {
  auto v = axis_vars(x.rank());
  return define(name, v, select(x.f(halide_args(v)) > 0.0f, dy.f(halide_args(v)), 0.0f), x.shape);
}

TensorValue add(const std::string &name, const TensorValue &a, const TensorValue &b) {
  auto v = axis_vars(a.rank());
  return define(name, v, a.f(halide_args(v)) + b.f(halide_args(v)), a.shape);
}

TensorValue maxpool2d(const std::string &name, const TensorValue &x, Window2d win) {
  Func xp = padded(x, x.type.min()); // padding never wins
  Var j("j"), i("i"), c("c"), n("n");
  RDom r(0, win.kw, 0, win.kh, name + "_r");
  Func f(name);
  f(j, i, c, n) = maximum(xp(j * win.sw + r.x - win.pw, i * win.sh + r.y - win.ph, c, n), name + "_max");
  return {f,
          {x.dim(0), x.dim(1), window_extent(x.dim(2), win.kh, win.sh, win.ph),
           window_extent(x.dim(3), win.kw, win.sw, win.pw)},
          x.type};
}

namespace {
/// The output windows containing input (hy, hx) for kernel offset r: valid,
/// and the window's (clamped) coordinates.
struct WindowHit {
  Expr valid, oi, oj;
};
WindowHit window_of(const Expr &yh, const Expr &xw, const RDom &r, const Window2d &win, const Expr &OH,
                    const Expr &OW) {
  const Expr hy = yh + win.ph - r.y, hx = xw + win.pw - r.x;
  const Expr oi = hy / win.sh, oj = hx / win.sw;
  Expr valid = oi >= 0 && oi < OH && oj >= 0 && oj < OW;
  if (win.sh > 1) valid = valid && hy % win.sh == 0;
  if (win.sw > 1) valid = valid && hx % win.sw == 0;
  return {valid, clamp(oi, 0, OH - 1), clamp(oj, 0, OW - 1)};
}
} // namespace

Func window_argmax(const std::string &name, const TensorValue &x, Window2d win) {
  Func xp = padded(x, x.type.min());
  Var j("j"), i("i"), c("c"), n("n");
  RDom r(0, win.kw, 0, win.kh, name + "_window");
  Func am(name + "_argmax");
  am(j, i, c, n) = argmax(xp(j * win.sw + r.x - win.pw, i * win.sh + r.y - win.ph, c, n), name + "_argmax_r");
  return am;
}

bool windows_tile(Window2d win) { return win.sh == win.kh && win.sw == win.kw && win.ph == 0 && win.pw == 0; }

Func window_first_max(const std::string &name, const TensorValue &x, Window2d win) {
  Func am = window_argmax(name, x, win); // inlined into the index
  Var j("j"), i("i"), c("c"), n("n");
  Func index(name + "_argmax_index");
  const Type t = win.kh * win.kw <= 256 ? UInt(8) : Int(32);
  index(j, i, c, n) = cast(t, am(j, i, c, n)[1] * win.kw + am(j, i, c, n)[0]);
  return index;
}

TensorValue pick_at_argmax(const std::string &name, const TensorValue &x, const Func &first_max,
                           const std::vector<Expr> &window_shape, Window2d win) {
  Var j("j"), i("i"), c("c"), n("n");
  const Expr k = cast<int32_t>(first_max(j, i, c, n));
  Func f(name);
  // Clamped to the window for bounds inference (the index is data).
  f(j, i, c, n) = x.f(j * win.sw + k % win.kw, i * win.sh + clamp(k / win.kw, 0, win.kh - 1), c, n);
  return {f, window_shape, x.type};
}

TensorValue scatter_to_argmax(const std::string &name, const TensorValue &dy, const Func &first_max,
                              const std::vector<Expr> &input_shape, Window2d win) {
  Var xw("xw"), yh("yh"), c("c"), n("n");
  // Each input lies in at most one window: its value is one select.
  const Expr OH = dy.dim(2), OW = dy.dim(3);
  const Expr oi = yh / win.sh, oj = xw / win.sw;
  const Expr oic = min(oi, OH - 1), ojc = min(oj, OW - 1);
  const Expr k = cast<int32_t>(first_max(ojc, oic, c, n));
  Func f(name);
  f(xw, yh, c, n) = select(oi < OH && oj < OW && k == (yh - oi * win.sh) * win.kw + (xw - oj * win.sw),
                           dy.f(ojc, oic, c, n), 0.0f);
  return {f, input_shape, Float(32)};
}

TensorValue maxpool2d_grad(const std::string &name, const TensorValue &dy, const TensorValue &x, Window2d win) {
  std::map<std::string, int64_t> helper_extents;
  const std::optional<int64_t> ow = schedules::constant_int(dy.dim(3));
  if (windows_tile(win)) {
    // Windows that tile the input without overlap or padding (2x2, stride
    // 2): a select per input, not a sum over the window's positions
    // (measured 2x faster); each window's maximum kept as one byte.
    Func index = window_first_max(name, x, win);
    if (ow) helper_extents[index.name()] = *ow;
    TensorValue t = scatter_to_argmax(name, dy, index, x.shape, win);
    t.helpers = {index};
    t.helper_inner_extents = helper_extents;
    return t;
  }
  Func am = window_argmax(name, x, win);
  const std::vector<Func> helpers = {am};
  if (ow) helper_extents[am.name()] = *ow;
  Var xw("xw"), yh("yh"), c("c"), n("n");
  RDom q(0, win.kw, 0, win.kh, name + "_r");
  const WindowHit hit = window_of(yh, xw, q, win, dy.dim(2), dy.dim(3));
  const Tuple best = am(hit.oj, hit.oi, c, n);
  Func f(name);
  f(xw, yh, c, n) = 0.0f;
  f(xw, yh, c, n) += select(hit.valid && best[0] == q.x && best[1] == q.y, dy.f(hit.oj, hit.oi, c, n), 0.0f);
  TensorValue t{f, x.shape, Float(32), helpers};
  t.helper_inner_extents = helper_extents;
  return t;
}

TensorValue avgpool2d(const std::string &name, const TensorValue &x, Window2d win) {
  Func xp = padded(x, 0.0f);
  Var j("j"), i("i"), c("c"), n("n");
  RDom r(0, win.kw, 0, win.kh, name + "_r");
  Func f(name);
  f(j, i, c, n) = sum(xp(j * win.sw + r.x - win.pw, i * win.sh + r.y - win.ph, c, n), name + "_sum") / float(win.kh * win.kw);
  return {f,
          {x.dim(0), x.dim(1), window_extent(x.dim(2), win.kh, win.sh, win.ph),
           window_extent(x.dim(3), win.kw, win.sw, win.pw)},
          Float(32)};
}

TensorValue avgpool2d_grad(const std::string &name, const TensorValue &dy, const TensorValue &x, Window2d win) {
  Var xw("xw"), yh("yh"), c("c"), n("n");
  RDom q(0, win.kw, 0, win.kh, name + "_r");
  const WindowHit hit = window_of(yh, xw, q, win, dy.dim(2), dy.dim(3));
  Func f(name);
  f(xw, yh, c, n) = 0.0f;
  f(xw, yh, c, n) += select(hit.valid, dy.f(hit.oj, hit.oi, c, n) * (1.0f / float(win.kh * win.kw)), 0.0f);
  return {f, x.shape, Float(32)};
}

TensorValue flatten(const std::string &name, const TensorValue &x) {
  // y[n, k] with k row-major over axes 1.. of x.
  Var k("k"), n("n");
  std::vector<Expr> index(static_cast<std::size_t>(x.rank()));
  Expr rest = k, features = 1;
  for (int a = x.rank() - 1; a >= 1; --a) {
    const Expr e = Expr(int(static_extent(x.dim(a), name + " input")));
    index[static_cast<std::size_t>(a)] = a == 1 ? rest : rest % e;
    rest = rest / e;
    features = features * e;
  }
  index[0] = n;
  Func f(name);
  f(k, n) = x.at(index);
  return {f, {x.dim(0), Internal::simplify(features)}, x.type};
}

TensorValue flatten_grad(const std::string &name, const TensorValue &dy, const TensorValue &x) {
  auto v = axis_vars(x.rank());
  Expr k = 0;
  for (int a = 1; a < x.rank(); ++a) k = k * int(static_extent(x.dim(a), name + " input")) + v[a];
  return define(name, v, dy.f(k, v[0]), x.shape);
}

//===----------------------------------------------------------------------===//
// Bias gradient
//===----------------------------------------------------------------------===//

TensorValue bias_grad(const std::string &name, const TensorValue &dy) {
  Var c("c");
  Func f(name);
  const std::optional<int64_t> w = dy.rank() == 4 ? schedules::constant_int(dy.dim(3)) : std::nullopt;
  int lanes = 1; // of the row, contiguous, that each partial sum takes
  for (int l : {8, 4, 2})
    if (w && *w % l == 0) {
      lanes = l;
      break;
    }
  if (lanes > 1) {
    // Per image and lane, the sum over the channel's plane of every
    // lanes-th element of its rows (a helper, vectorized along the lanes:
    // dense loads of dy), then over the lanes and images. A sum over the
    // channel directly ran a vector of channels, each lane reading its own
    // plane: gathers (LeNet-5's conv1: 0.2-0.3 ms a step).
    Var l("l"), n("n");
    RDom r(0, int(*w / lanes), 0, dy.dim(2), name + "_row");
    Func partial(name + "_lanes");
    partial(l, c, n) = f64(0.0);
    partial(l, c, n) += cast<double>(dy.f(r.x * lanes + l, r.y, c, n));
    RDom q(0, lanes, 0, dy.dim(0), name + "_r");
    f(c) = cast<float>(sum(partial(q.x, c, q.y), name + "_sum"));
    TensorValue t{f, {dy.dim(1)}, Float(32), {partial}};
    return t;
  }
  ChannelReduction red = over_channel(dy, name + "_r");
  f(c) = cast<float>(sum(cast<double>(red.at(dy, c)), name + "_sum"));
  return {f, {dy.dim(1)}, Float(32)};
}

// Dense layers accumulate along a contiguous axis: the output features of
// the forward pass (from the weight copied feature-innermost), the input
// features of both gradients (already contiguous).

//===----------------------------------------------------------------------===//
// Batch normalisation
//===----------------------------------------------------------------------===//

TensorValue batch_norm(const std::string &name, const TensorValue &x, const TensorValue &gamma,
                       const TensorValue &beta, const TensorValue &mean, const TensorValue &var, double eps) {
  auto v = axis_vars(x.rank());
  const Expr inv = f64(1.0) / sqrt(cast<double>(per_channel(var, v)) + f64(eps));
  const Expr y = cast<double>(per_channel(gamma, v)) * (cast<double>(x.f(halide_args(v))) - per_channel(mean, v)) *
                     inv +
                 per_channel(beta, v);
  return define(name, v, cast<float>(y), x.shape);
}

BatchNormTrain batch_norm_train(const std::string &name, const TensorValue &x, const TensorValue &gamma,
                                const TensorValue &beta, const TensorValue &mean, const TensorValue &var, double eps,
                                double momentum) {
  ChannelReduction red = over_channel(x, name + "_r");
  Var c("c");
  const Expr count = cast<double>(red.count);
  Func mu(name + "_mean64"), variance(name + "_var64");
  mu(c) = sum(cast<double>(red.at(x, c)), name + "_sum") / count;
  const Expr d = cast<double>(red.at(x, c)) - mu(c);
  variance(c) = sum(d * d, name + "_sum_sq") / count;
  Func inv(name + "_inv_std64");
  inv(c) = f64(1.0) / sqrt(variance(c) + f64(eps));

  auto v = axis_vars(x.rank());
  const Expr y = cast<double>(per_channel(gamma, v)) * (cast<double>(x.f(halide_args(v))) - mu(v[1])) * inv(v[1]) +
                 per_channel(beta, v);
  BatchNormTrain out;
  out.y = define(name, v, cast<float>(y), x.shape);
  out.y.helpers = {mu, variance, inv};
  const std::vector<Expr> channels = {x.dim(1)};
  Var k("k");
  out.batch_mean = define(name + "_batch_mean", {k}, cast<float>(mu(k)), channels);
  out.batch_inv_std = define(name + "_batch_inv_std", {k}, cast<float>(inv(k)), channels);
  out.new_mean = define(name + "_new_mean", {k},
                        cast<float>(f64(1.0 - momentum) * cast<double>(mean.f(k)) + f64(momentum) * mu(k)), channels);
  const Expr unbiased = select(count > f64(1.0), variance(k) * count / (count - f64(1.0)), variance(k));
  out.new_variance = define(name + "_new_variance", {k},
                            cast<float>(f64(1.0 - momentum) * cast<double>(var.f(k)) + f64(momentum) * unbiased),
                            channels);
  return out;
}

BatchNormGrad batch_norm_grad(const std::string &name, const TensorValue &dy, const TensorValue &x,
                              const TensorValue &gamma, const TensorValue &batch_mean,
                              const TensorValue &batch_inv_std) {
  ChannelReduction red = over_channel(x, name + "_r");
  Var c("c");
  const Expr count = cast<double>(red.count);
  const Expr xh_r = (cast<double>(red.at(x, c)) - batch_mean.f(c)) * batch_inv_std.f(c);
  Func sums(name + "_sums");
  sums(c) = Tuple(f64(0.0), f64(0.0));
  sums(c) = Tuple(sums(c)[0] + red.at(dy, c), sums(c)[1] + red.at(dy, c) * xh_r);

  auto v = axis_vars(x.rank());
  const Expr xh = (cast<double>(x.f(halide_args(v))) - batch_mean.f(v[1])) * batch_inv_std.f(v[1]);
  const Expr dx = cast<double>(gamma.f(v[1])) * batch_inv_std.f(v[1]) *
                  (dy.f(halide_args(v)) - sums(v[1])[0] / count - xh * sums(v[1])[1] / count);
  BatchNormGrad g;
  g.dx = define(name, v, cast<float>(dx), x.shape);
  g.dx.helpers = {sums};
  Var k("k");
  g.dgamma = define(name + "_dgamma", {k}, cast<float>(sums(k)[1]), {x.dim(1)});
  g.dbeta = define(name + "_dbeta", {k}, cast<float>(sums(k)[0]), {x.dim(1)});
  return g;
}

} // namespace cpq::codegen
