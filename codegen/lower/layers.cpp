//===- layers.cpp - lowering of the layer ops and their gradients -----------===//
//
// Convolutions, dense layers, pooling, batch norm, the loss and element-wise
// ops, forward and backward, each to the builder of codegen/ops/layers.h and
// recorded as a stage of its schedule family.
//
//===----------------------------------------------------------------------===//
#include "codegen/lower/lowering.h"

namespace cpq::codegen::lowering {

using namespace Halide;

mlir::LogicalResult Lowering::lower(cd::Conv2dOp c, const std::string &name) {
  const TensorValue *b = c.bias() ? &tensor(c.bias()) : nullptr;
  TensorValue y = conv2d(name, tensor(c.input()), tensor(c.filter()), b, conv_window(c), int(c.groups()));
  set(c.output(), y);
  record("conv2d", {y.f});
  out.stages.back().contraction = y.contraction;
  return mlir::success();
}

mlir::LogicalResult Lowering::lower(cd::Conv2dGradInputOp c, const std::string &name) {
  TensorValue y = conv2d_grad_input(name, tensor(c.output_grad()), tensor(c.input()), tensor(c.filter()),
                                    conv_window(c), int(c.groups()));
  set(c.input_grad(), y);
  record("conv2d_grad_input", {y.f});
  out.stages.back().contraction = y.contraction;
  return mlir::success();
}

mlir::LogicalResult Lowering::lower(cd::Conv2dGradFilterOp c, const std::string &name) {
  TensorValue y = conv2d_grad_filter(name, tensor(c.output_grad()), tensor(c.input()), tensor(c.filter()),
                                     conv_window(c), int(c.groups()));
  set(c.filter_grad(), y);
  record("conv2d_grad_filter", {y.f});
  out.stages.back().contraction = y.contraction;
  out.stages.back().filter_gradient = y.filter_gradient;
  return mlir::success();
}

mlir::LogicalResult Lowering::lower(cd::BiasGradOp c, const std::string &name) {
  return unary(c.bias_grad(), "reduction", bias_grad(name, tensor(c.output_grad())));
}

mlir::LogicalResult Lowering::lower(cd::DenseOp d, const std::string &name) {
  const TensorValue *b = d.bias() ? &tensor(d.bias()) : nullptr;
  return unary(d.output(), "dense", dense(name, tensor(d.input()), tensor(d.weight()), b));
}

mlir::LogicalResult Lowering::lower(cd::DenseGradInputOp d, const std::string &name) {
  return unary(d.input_grad(), "dense_grad_input", dense_grad_input(name, tensor(d.output_grad()), tensor(d.weight())));
}

mlir::LogicalResult Lowering::lower(cd::DenseGradWeightOp d, const std::string &name) {
  return unary(d.weight_grad(), "dense_grad_weight", dense_grad_weight(name, tensor(d.output_grad()), tensor(d.input())));
}

mlir::LogicalResult Lowering::lower(cd::ReluOp r, const std::string &name) {
  return unary(r.output(), "elementwise", relu(name, tensor(r.input())));
}

mlir::LogicalResult Lowering::lower(cd::ReluGradOp r, const std::string &name) {
  return unary(r.input_grad(), "elementwise", relu_grad(name, tensor(r.output_grad()), tensor(r.input())));
}

mlir::LogicalResult Lowering::lower(cd::AddOp a, const std::string &name) {
  return unary(a.output(), "elementwise", add(name, tensor(a.lhs()), tensor(a.rhs())));
}

mlir::LogicalResult Lowering::lower(cd::MaxPool2dOp p, const std::string &name) {
  TensorValue y = maxpool2d(name, tensor(p.input()), pool_window(p));
  y.channels_last = tensor(p.input()).channels_last;
  return unary(p.output(), "pool", y);
}

mlir::LogicalResult Lowering::lower(cd::MaxPool2dGradOp p, const std::string &name) {
  if (fused_away(p)) return mlir::success(); // the quantizer's gradient computes it (quantizer.cpp)
  return unary(p.input_grad(), "pool_grad",
               maxpool2d_grad(name, tensor(p.output_grad()), tensor(p.input()), pool_window(p)));
}

mlir::LogicalResult Lowering::lower(cd::AvgPool2dOp p, const std::string &name) {
  return unary(p.output(), "pool", avgpool2d(name, tensor(p.input()), pool_window(p)));
}

mlir::LogicalResult Lowering::lower(cd::AvgPool2dGradOp p, const std::string &name) {
  return unary(p.input_grad(), "pool_grad",
               avgpool2d_grad(name, tensor(p.output_grad()), tensor(p.input()), pool_window(p)));
}

mlir::LogicalResult Lowering::lower(cd::FlattenOp f, const std::string &name) {
  return unary(f.output(), "layout", flatten(name, tensor(f.input())));
}

mlir::LogicalResult Lowering::lower(cd::FlattenGradOp f, const std::string &name) {
  return unary(f.input_grad(), "layout", flatten_grad(name, tensor(f.output_grad()), tensor(f.input())));
}

mlir::LogicalResult Lowering::lower(cd::BatchNormOp b, const std::string &name) {
  return unary(b.output(), "elementwise",
               batch_norm(name, tensor(b.input()), tensor(b.gamma()), tensor(b.beta()), tensor(b.mean()),
                          tensor(b.variance()), b.epsilon().convertToDouble()));
}

mlir::LogicalResult Lowering::lower(cd::BatchNormTrainOp b, const std::string &name) {
  BatchNormTrain t = batch_norm_train(name, tensor(b.input()), tensor(b.gamma()), tensor(b.beta()), tensor(b.mean()),
                                      tensor(b.variance()), b.epsilon().convertToDouble(),
                                      b.momentum().convertToDouble());
  set(b.output(), t.y), set(b.batch_mean(), t.batch_mean), set(b.batch_inv_std(), t.batch_inv_std);
  set(b.new_mean(), t.new_mean), set(b.new_variance(), t.new_variance);
  record("batch_norm", {t.y.f, t.batch_mean.f, t.batch_inv_std.f, t.new_mean.f, t.new_variance.f});
  return mlir::success();
}

mlir::LogicalResult Lowering::lower(cd::BatchNormGradOp b, const std::string &name) {
  BatchNormGrad g = batch_norm_grad(name, tensor(b.output_grad()), tensor(b.input()), tensor(b.gamma()),
                                    tensor(b.batch_mean()), tensor(b.batch_inv_std()));
  set(b.input_grad(), g.dx), set(b.gamma_grad(), g.dgamma), set(b.beta_grad(), g.dbeta);
  record("batch_norm_grad", {g.dx.f, g.dgamma.f, g.dbeta.f});
  return mlir::success();
}

mlir::LogicalResult Lowering::lower(cd::SoftmaxCrossEntropyOp s, const std::string &name) {
  CrossEntropy ce = softmax_cross_entropy(name, tensor(s.logits()), tensor(s.labels()));
  set(s.loss(), ce.loss), set(s.correct(), ce.correct);
  record("loss", {ce.loss.f, ce.correct.f});
  return mlir::success();
}

mlir::LogicalResult Lowering::lower(cd::SoftmaxCrossEntropyGradOp s, const std::string &name) {
  return unary(s.logits_grad(), "elementwise", softmax_cross_entropy_grad(name, tensor(s.logits()), tensor(s.labels())));
}

mlir::LogicalResult Lowering::lower(cd::SoftmaxCrossEntropyHessianOp s, const std::string &name) {
  return unary(s.logits_hessian(), "elementwise", softmax_cross_entropy_hessian(name, tensor(s.logits())));
}

mlir::LogicalResult Lowering::lower(cd::SquareOp s, const std::string &name) {
  return unary(s.output(), "elementwise", square(name, tensor(s.input())));
}

} // namespace cpq::codegen::lowering
