//===- loss_optimizers.cpp - Halide builders of the loss and the updates ---===//
//
// This file implements the softmax cross-entropy loss, its gradient and
// Hessian diagonal, and the optimizer updates (SGD, Adam) declared in
// layers.h, as Halide Funcs. The loss's row sums accumulate in float64.
//
//===----------------------------------------------------------------------===//
#include "codegen/ops/layers.h"

namespace cpq::codegen {

using namespace Halide;

//===----------------------------------------------------------------------===//
// Loss
//===----------------------------------------------------------------------===//

namespace {
/// Per-row statistics of the logits, and the labels checked once: `bad()`
/// is (first row whose label is outside 0..K-1, 1) or (_, 0), over exactly
/// the batch, so no over-computed row of a schedule can trip the check.
struct SoftmaxRows {
  Func max_logit, sum_exp, label, bad;
  /// () 1, or a run-time error naming the first bad row: a Func of its own,
  /// which a schedule may compute apart (GPU kernels raise no errors).
  Func labels_ok;
  int classes = 0;
  Expr rows;
  /// `value` times labels_ok() (exact: x * 1 is x, signed zeros and NaN
  /// included), so that computing it checks the labels.
  Expr checked(const Expr &value) const { return value * cast(value.type(), labels_ok()); }
};
SoftmaxRows softmax_rows(const std::string &name, const TensorValue &logits, const TensorValue &labels) {
  const int K = int(static_extent(logits.dim(1), name + " logits"));
  Var n("n");
  RDom r(0, K, name + "_classes"), rows(0, logits.dim(0), name + "_check");
  SoftmaxRows s;
  s.classes = K;
  s.rows = logits.dim(0);
  s.label = Func(name + "_label");
  s.label(n) = clamp(labels.f(n), 0, K - 1);
  s.bad = Func(name + "_bad");
  const Expr l = labels.f(rows);
  s.bad() = argmax(rows, select(l < 0 || l >= K, 1, 0), name + "_bad_r");
  s.labels_ok = Func(name + "_labels_ok");
  s.labels_ok() = require(s.bad()[1] == 0, 1, "softmax_cross_entropy: the label of row", s.bad()[0], "is",
                          labels.f(clamp(s.bad()[0], 0, s.rows - 1)), "but the classes are 0 ..", K - 1);
  s.max_logit = Func(name + "_max");
  s.max_logit(n) = maximum(logits.f(r, n), name + "_max_r");
  s.sum_exp = Func(name + "_sum_exp");
  s.sum_exp(n) = sum(cast<double>(exp(logits.f(r, n) - s.max_logit(n))), name + "_sum_exp_r");
  return s;
}
} // namespace

CrossEntropy softmax_cross_entropy(const std::string &name, const TensorValue &logits, const TensorValue &labels) {
  const int K = int(static_extent(logits.dim(1), name + " logits"));
  SoftmaxRows s = softmax_rows(name, logits, labels);
  Var n("n");
  RDom rk(0, K, name + "_argmax_r");
  Func best(name + "_best");
  best(n) = argmax(logits.f(rk, n), name + "_best_r")[0];
  Func row_loss(name + "_row_loss");
  row_loss(n) = log(s.sum_exp(n)) + cast<double>(s.max_logit(n)) - cast<double>(logits.f(s.label(n), n));
  RDom rn(0, logits.dim(0), name + "_rows");
  Func loss(name + "_loss"), correct(name + "_correct");
  loss() = s.checked(cast<float>(sum(row_loss(rn), name + "_loss_r") / cast<double>(logits.dim(0))));
  correct() = s.checked(sum(select(best(rn) == s.label(rn), 1, 0), name + "_correct_r"));
  return {{loss, {}, Float(32), {s.label, s.bad, s.max_logit, s.sum_exp, best, row_loss}}, {correct, {}, Int(32)}};
}

TensorValue softmax_cross_entropy_grad(const std::string &name, const TensorValue &logits,
                                       const TensorValue &labels) {
  SoftmaxRows s = softmax_rows(name, logits, labels);
  Var k("k"), n("n");
  const Expr p = cast<double>(exp(logits.f(k, n) - s.max_logit(n))) / s.sum_exp(n);
  Func f(name);
  f(k, n) = s.checked(cast<float>((p - select(k == s.label(n), f64(1.0), f64(0.0))) / cast<double>(logits.dim(0))));
  return {f, logits.shape, Float(32), {s.label, s.bad, s.max_logit, s.sum_exp}};
}

TensorValue softmax_cross_entropy_hessian(const std::string &name, const TensorValue &logits) {
  const int K = int(static_extent(logits.dim(1), name + " logits"));
  Var k("k"), n("n");
  RDom r(0, K, name + "_classes");
  Func max_logit(name + "_max"), sum_exp(name + "_sum_exp");
  max_logit(n) = maximum(logits.f(r, n), name + "_max_r");
  sum_exp(n) = sum(cast<double>(exp(logits.f(r, n) - max_logit(n))), name + "_sum_exp_r");
  const Expr p = cast<double>(exp(logits.f(k, n) - max_logit(n))) / sum_exp(n);
  Func f(name);
  f(k, n) = cast<float>(p * (f64(1.0) - p) / cast<double>(logits.dim(0)));
  return {f, logits.shape, Float(32), {max_logit, sum_exp}};
}

TensorValue square(const std::string &name, const TensorValue &x) {
  auto v = axis_vars(x.rank());
  const Expr e = x.f(halide_args(v));
  return define(name, v, e * e, x.shape);
}

//===----------------------------------------------------------------------===//
// Optimizers
//===----------------------------------------------------------------------===//

SgdUpdate sgd_update(const std::string &name, const TensorValue &p, const TensorValue &g, const TensorValue &m,
                     const Expr &lr, double momentum, double weight_decay, bool nesterov,
                     std::optional<double> lower_bound, bool relative) {
  auto v = axis_vars(p.rank());
  const auto at = halide_args(v);
  // Terms whose coefficient is 0 are left out rather than multiplied by 0:
  // Halide's simplifier drops an input read only as 0*m from the pipeline's
  // bounds, and Mullapudi2016 (Halide 14) then fails on the missing entry.
  Expr gd = relative ? g.f(at) * p.f(at) : g.f(at);
  if (!relative && weight_decay != 0.0) gd = gd + float(weight_decay) * p.f(at);
  SgdUpdate u;
  u.momentum_buffer = define(name + "_momentum", v, momentum != 0.0 ? float(momentum) * m.f(at) + gd : gd, p.shape);
  const Expr m1 = u.momentum_buffer.f(at);
  const Expr step = lr * (nesterov ? gd + float(momentum) * m1 : m1);
  Expr next = relative ? p.f(at) * exp(-step) : p.f(at) - step;
  if (lower_bound) next = max(next, float(*lower_bound));
  u.param = define(name, v, next, p.shape);
  return u;
}

AdamUpdate adam_update(const std::string &name, const TensorValue &p, const TensorValue &g, const TensorValue &m,
                       const TensorValue &s, const Expr &lr, const Expr &step, double beta1, double beta2,
                       double epsilon, double weight_decay, std::optional<double> lower_bound, bool relative) {
  auto v = axis_vars(p.rank());
  const auto at = halide_args(v);
  const Expr grad = relative ? g.f(at) * p.f(at) : g.f(at); // relative: the gradient of log(p)
  AdamUpdate u;
  u.first_moment = define(name + "_m", v, float(beta1) * m.f(at) + float(1.0 - beta1) * grad, p.shape);
  u.second_moment = define(name + "_v", v, float(beta2) * s.f(at) + float(1.0 - beta2) * grad * grad, p.shape);
  const Expr t = cast<double>(step + 1);
  const Expr c1 = cast<float>(f64(1.0) - pow(f64(beta1), t)), c2 = cast<float>(f64(1.0) - pow(f64(beta2), t));
  const Expr mhat = u.first_moment.f(at) / c1, vhat = u.second_moment.f(at) / c2;
  const Expr direction = mhat / (sqrt(vhat) + float(epsilon));
  Expr next = relative ? p.f(at) * exp(-lr * direction) : p.f(at) - lr * direction;
  if (!relative && weight_decay != 0.0) next = next - lr * float(weight_decay) * p.f(at);
  if (lower_bound) next = max(next, float(*lower_bound));
  u.param = define(name, v, next, p.shape);
  return u;
}

} // namespace cpq::codegen
