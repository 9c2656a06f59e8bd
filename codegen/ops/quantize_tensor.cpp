//===- quantize_tensor.cpp - the quantizer on tensors of any rank -----------===//
#include "codegen/ops/quantize_tensor.h"

#include "codegen/ops/layers.h"
#include "cpq/kernels/gates.h"

#include <cmath>

namespace cpq::codegen {

using namespace Halide;

QuantizerView quantizer_view(const TensorValue &x, int axis) {
  QuantizerView q;
  q.axis = axis;
  if (q.axis >= 0) {
    for (int k = 0; k < q.axis; ++k) q.outer_axes.push_back(k);
    for (int k = q.axis + 1; k < x.rank(); ++k) q.inner_axes.push_back(k);
  } else {
    // Per tensor: the batch axis outside, the rest inside.
    for (int k = 0; k < x.rank(); ++k) (k == 0 && x.rank() >= 2 ? q.outer_axes : q.inner_axes).push_back(k);
  }
  q.inner_extent = 1, q.outer_extent = 1;
  for (int k : q.inner_axes) q.inner_extent = q.inner_extent * x.dim(k);
  for (int k : q.outer_axes) q.outer_extent = q.outer_extent * x.dim(k);
  if (q.inner_axes.size() >= 2)
    if (const int64_t *w = Internal::as_const_int(x.dim(q.inner_axes.back()))) q.row = int(*w);
  return q;
}

Func view_3d(const TensorValue &x, const QuantizerView &q, const TensorVars &v, const std::string &name) {
  std::vector<Expr> index(static_cast<std::size_t>(x.rank()));
  auto unflatten = [&](const std::vector<int> &axes, Expr flat) {
    for (std::size_t k = axes.size(); k-- > 0;) {
      const int a = axes[k];
      if (k == 0) {
        index[static_cast<std::size_t>(a)] = flat;
      } else {
        const Expr e = Expr(int(static_extent(x.dim(a), name)));
        index[static_cast<std::size_t>(a)] = flat % e;
        flat = flat / e;
      }
    }
  };
  unflatten(q.inner_axes, v.i);
  unflatten(q.outer_axes, v.n);
  if (q.axis >= 0) index[static_cast<std::size_t>(q.axis)] = v.c;
  Func f(name + "_view");
  f(v.i, v.c, v.n) = x.at(index);
  return f;
}

TensorValue from_3d(const Func &f3, const TensorValue &x, const QuantizerView &q, const std::string &name) {
  auto vars = axis_vars(x.rank());
  // Row-major flattening: the first axis is the slowest (its extent unused).
  auto flat = [&](const std::vector<int> &axes) -> Expr {
    if (axes.empty()) return 0;
    Expr e = vars[static_cast<std::size_t>(axes.front())];
    for (std::size_t k = 1; k < axes.size(); ++k)
      e = e * int(static_extent(x.dim(axes[k]), name)) + vars[static_cast<std::size_t>(axes[k])];
    return e;
  };
  return define(name, vars, f3(flat(q.inner_axes), q.axis >= 0 ? Expr(vars[q.axis]) : Expr(0), flat(q.outer_axes)),
                x.shape);
}

Expr gate_regulariser_grad(int bits, double lambda, const Func &log_a, const Expr &elements, const Var &k) {
  if (lambda == 0.0) return Internal::make_const(Float(64), 0.0);
  const cpq::HardConcrete hc;
  const Expr shift = f64(hc.beta * std::log(-hc.gamma / hc.zeta)), one = f64(1.0);
  // P(gate l open) and the products of the open probabilities up to l.
  std::vector<Expr> p, prefix;
  Expr run = one;
  for (int l = 2; l <= bits; ++l) {
    const Expr z = cast<double>(log_a(l - 2)) - shift;
    p.push_back(one / (one + exp(-z)));
    run = run * p.back();
    prefix.push_back(run);
  }
  std::vector<Expr> per_level;
  for (int kk = 2; kk <= bits; ++kk) {
    Expr tail = prefix[kk - 2];
    for (int l = kk + 1; l <= bits; ++l) tail = tail + prefix[l - 2];
    per_level.push_back(tail * (one - p[kk - 2]));
  }
  const Expr grad = per_level.size() == 1 ? per_level[0] : mux(k, per_level);
  return f64(lambda) * elements * grad;
}

} // namespace cpq::codegen
