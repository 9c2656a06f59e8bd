//===- optimizer.cpp - lowering of the optimizer updates --------------------===//
//
// cpq.sgd_update and cpq.adam_update, with their attributes (momentum,
// betas, weight decay, a lower bound, steps relative to the parameter, a
// per-parameter learning-rate scale) read
// through the generated accessors, on the builders of codegen/ops/layers.h.
//
//===----------------------------------------------------------------------===//
#include "codegen/lower/lowering.h"

namespace cpq::codegen::lowering {

namespace {

template <class Op> std::optional<double> lower_bound(Op op) {
  if (auto b = op.lower_bound()) return b->convertToDouble();
  return std::nullopt;
}

} // namespace

/// The update's learning rate: the step's, times the parameter's lr_scale.
template <class Op> Halide::Expr Lowering::lr(Op op) {
  const double scale = op.lr_scale().convertToDouble();
  return scale == 1.0 ? scalar(op.lr()) : scalar(op.lr()) * Halide::Expr(float(scale));
}

mlir::LogicalResult Lowering::lower(cd::SgdUpdateOp s, const std::string &name) {
  SgdUpdate u = sgd_update(name, tensor(s.param()), tensor(s.grad()), tensor(s.momentum_buffer()), lr(s),
                           s.momentum().convertToDouble(), s.weight_decay().convertToDouble(), s.nesterov(),
                           lower_bound(s), s.relative());
  set(s.new_param(), u.param), set(s.new_momentum_buffer(), u.momentum_buffer);
  record("optimizer", {u.param.f, u.momentum_buffer.f});
  return mlir::success();
}

mlir::LogicalResult Lowering::lower(cd::AdamUpdateOp a, const std::string &name) {
  AdamUpdate u = adam_update(name, tensor(a.param()), tensor(a.grad()), tensor(a.first_moment()),
                             tensor(a.second_moment()), lr(a), scalar(a.step()), a.beta1().convertToDouble(),
                             a.beta2().convertToDouble(), a.epsilon().convertToDouble(),
                             a.weight_decay().convertToDouble(), lower_bound(a), a.relative());
  set(a.new_param(), u.param), set(a.new_first_moment(), u.first_moment), set(a.new_second_moment(), u.second_moment);
  record("optimizer", {u.param.f, u.first_moment.f, u.second_moment.f});
  return mlir::success();
}

} // namespace cpq::codegen::lowering
