//===- CpqTrainingOps.cpp - checks and result types of the training ops ----===//
//
// This file implements the checks and result types of the ops
// --cpq-expand-training emits: the quantizer in training form and its
// gradients, the layers' gradients, batch normalisation on batch
// statistics, and the optimizer updates (OpChecks.h says how checks and
// inference meet).
//
//===----------------------------------------------------------------------===//
#include "OpChecks.h"

#include <cmath>

using namespace mlir;
using namespace cpq::dialect;
using namespace cpq::dialect::checks;

namespace {

/// The results of each op, checked; the first problem is reported.
using Types = SmallVector<Type, 5>;

LogicalResult tensorId(const Checker &c, uint64_t id) {
  if (int64_t(id) < 0) return c.refuse("tensor_id must be a non-negative integer");
  return success();
}

FailureOr<Types> check(QuantizeTrainOpAdaptor a, const Checker &c) {
  auto x = c.tensor(a.input(), "input");
  if (failed(x) || failed(checkQuantizer(c, *x, quantizerOf(a))) || failed(tensorId(c, a.tensor_id())))
    return failure();
  return Types{*x};
}

FailureOr<Types> check(QuantizeGradOpAdaptor a, const Checker &c) {
  RankedTensorType x;
  if (failed(sameShapes(c, {{a.input(), "input"}, {a.output_grad(), "output_grad"}}, x)) ||
      failed(checkQuantizer(c, x, quantizerOf(a))) || failed(tensorId(c, a.tensor_id())))
    return failure();
  Types t{x, a.alpha().getType(), a.sigma().getType()};
  if (a.gate_logits()) t.push_back(a.gate_logits().getType());
  return t;
}

FailureOr<Types> check(ReluGradOpAdaptor a, const Checker &c) {
  RankedTensorType x;
  if (failed(sameShapes(c, {{a.input(), "input"}, {a.output_grad(), "output_grad"}}, x))) return failure();
  return Types{x};
}

/// conv2d_grad_*: (dy, x, w) must be a consistent forward/backward triple.
template <class Adaptor> FailureOr<std::pair<RankedTensorType, RankedTensorType>> convGrad(Adaptor &a, const Checker &c) {
  auto dy = c.tensor(a.output_grad(), "output_grad", 4);
  if (failed(dy)) return failure();
  auto x = c.tensor(a.input(), "input", 4);
  if (failed(x)) return failure();
  auto w = c.tensor(a.filter(), "filter", 4);
  if (failed(w)) return failure();
  if (!w->hasStaticShape()) return c.refuse("filter needs a static shape");
  auto y = convShape(c, *x, w->getShape(), "filter", {Attribute(), a.strideAttr(), a.paddingAttr(), int64_t(a.groups())});
  if (failed(y) || failed(expectShape(c, "output_grad", *dy, *y))) return failure();
  return std::make_pair(*x, *w);
}

FailureOr<Types> check(Conv2dGradInputOpAdaptor a, const Checker &c) {
  auto xw = convGrad(a, c);
  if (failed(xw)) return failure();
  return Types{xw->first};
}

FailureOr<Types> check(Conv2dGradFilterOpAdaptor a, const Checker &c) {
  auto xw = convGrad(a, c);
  if (failed(xw)) return failure();
  return Types{xw->second};
}

FailureOr<Types> check(BiasGradOpAdaptor a, const Checker &c) {
  auto dy = c.tensor(a.output_grad(), "output_grad");
  if (failed(dy)) return failure();
  if (dy->getRank() < 2)
    return c.refuse("output_grad needs a channel axis 1, got " + shapeString(dy->getShape()));
  return Types{RankedTensorType::get({dy->getDimSize(1)}, dy->getElementType())};
}

FailureOr<Types> check(DenseGradInputOpAdaptor a, const Checker &c) {
  auto dy = c.tensor(a.output_grad(), "output_grad", 2);
  if (failed(dy)) return failure();
  auto w = c.tensor(a.weight(), "weight", 2);
  if (failed(w)) return failure();
  if (!compatible(dy->getDimSize(1), w->getDimSize(0)))
    return c.refuse("output_grad has " + Twine(dy->getDimSize(1)) + " features but the weight has " +
                  Twine(w->getDimSize(0)) + " outputs");
  return Types{RankedTensorType::get({dy->getDimSize(0), w->getDimSize(1)}, dy->getElementType())};
}

FailureOr<Types> check(DenseGradWeightOpAdaptor a, const Checker &c) {
  auto dy = c.tensor(a.output_grad(), "output_grad", 2);
  if (failed(dy)) return failure();
  auto x = c.tensor(a.input(), "input", 2);
  if (failed(x)) return failure();
  if (!compatible(dy->getDimSize(0), x->getDimSize(0)))
    return c.refuse("output_grad has " + Twine(dy->getDimSize(0)) + " rows but the input has " + Twine(x->getDimSize(0)));
  if (dy->getDimSize(1) == kDynamic || x->getDimSize(1) == kDynamic)
    return c.refuse("the weight gradient needs static feature sizes");
  return Types{RankedTensorType::get({dy->getDimSize(1), x->getDimSize(1)}, dy->getElementType())};
}

/// maxpool2d_grad, avgpool2d_grad: dy must have the pooled shape of x.
template <class Adaptor> FailureOr<Types> poolGrad(Adaptor &a, const Checker &c) {
  auto dy = c.tensor(a.output_grad(), "output_grad", 4);
  if (failed(dy)) return failure();
  auto x = c.tensor(a.input(), "input", 4);
  if (failed(x)) return failure();
  auto y = poolShape(c, *x, {a.kernelAttr(), a.strideAttr(), a.paddingAttr(), 1});
  if (failed(y) || failed(expectShape(c, "output_grad", *dy, *y))) return failure();
  return Types{*x};
}
FailureOr<Types> check(MaxPool2dGradOpAdaptor a, const Checker &c) { return poolGrad(a, c); }
FailureOr<Types> check(AvgPool2dGradOpAdaptor a, const Checker &c) { return poolGrad(a, c); }

FailureOr<Types> check(BatchNormTrainOpAdaptor a, const Checker &c) {
  auto x = batchNormInput(a, c);
  if (failed(x)) return failure();
  const Type stats = a.gamma().getType();
  return Types{*x, stats, stats, stats, stats};
}

FailureOr<Types> check(BatchNormGradOpAdaptor a, const Checker &c) {
  RankedTensorType x, stats;
  if (failed(sameShapes(c, {{a.input(), "input"}, {a.output_grad(), "output_grad"}}, x)) ||
      failed(checkBatchNorm(c, x, {{a.gamma(), "gamma"}}, 1.0, 0.0)) ||
      failed(sameShapes(c, {{a.gamma(), "gamma"}, {a.batch_mean(), "batch_mean"}, {a.batch_inv_std(), "batch_inv_std"}},
                        stats)))
    return failure();
  return Types{x, stats, stats};
}

FailureOr<Types> check(FlattenGradOpAdaptor a, const Checker &c) {
  auto dy = c.tensor(a.output_grad(), "output_grad", 2);
  if (failed(dy)) return failure();
  auto x = c.tensor(a.input(), "input");
  if (failed(x)) return failure();
  auto flat = flattened(c, a.input());
  if (failed(flat) || failed(expectShape(c, "output_grad", *dy, flat->getShape()))) return failure();
  return Types{*x};
}

FailureOr<Types> check(SoftmaxCrossEntropyGradOpAdaptor a, const Checker &c) {
  if (failed(checkLoss(c, a.logits(), a.labels()))) return failure();
  return Types{a.logits().getType()};
}

FailureOr<Types> check(SoftmaxCrossEntropyHessianOpAdaptor a, const Checker &c) {
  auto logits = c.tensor(a.logits(), "logits", 2);
  if (failed(logits)) return failure();
  return Types{a.logits().getType()};
}

FailureOr<Types> check(SquareOpAdaptor a, const Checker &) { return Types{a.input().getType()}; }

LogicalResult checkStep(const Checker &c, double weightDecay, bool relative, double lrScale) {
  if (!(lrScale > 0.0 && std::isfinite(lrScale)))
    return c.refuse("lr_scale must be a positive number, got " + Twine(number(lrScale)));
  if (!(weightDecay >= 0.0)) return c.refuse("weight_decay must be non-negative, got " + Twine(number(weightDecay)));
  if (relative && weightDecay != 0.0) return c.fail("relative steps take no weight_decay");
  return success();
}

FailureOr<Types> check(SgdUpdateOpAdaptor a, const Checker &c) {
  RankedTensorType p;
  if (failed(sameShapes(c, {{a.param(), "param"}, {a.grad(), "grad"}, {a.momentum_buffer(), "momentum_buffer"}}, p)))
    return failure();
  const double m = a.momentum().convertToDouble();
  if (!(m >= 0.0 && m < 1.0)) return c.refuse("momentum must be in [0, 1), got " + Twine(number(m)));
  if (failed(checkStep(c, a.weight_decay().convertToDouble(), a.relative(), a.lr_scale().convertToDouble())))
    return failure();
  return Types{p, p};
}

FailureOr<Types> check(AdamUpdateOpAdaptor a, const Checker &c) {
  RankedTensorType p;
  if (failed(sameShapes(c,
                        {{a.param(), "param"}, {a.grad(), "grad"}, {a.first_moment(), "first_moment"},
                         {a.second_moment(), "second_moment"}},
                        p)))
    return failure();
  const double b1 = a.beta1().convertToDouble(), b2 = a.beta2().convertToDouble(), eps = a.epsilon().convertToDouble();
  if (!(b1 >= 0.0 && b1 < 1.0) || !(b2 >= 0.0 && b2 < 1.0))
    return c.refuse("beta1 and beta2 must be in [0, 1), got " + Twine(number(b1)) + " and " + Twine(number(b2)));
  if (!(eps > 0.0)) return c.refuse("epsilon must be positive, got " + Twine(number(eps)));
  if (failed(checkStep(c, a.weight_decay().convertToDouble(), a.relative(), a.lr_scale().convertToDouble())))
    return failure();
  return Types{p, p, p};
}

} // namespace

CPQ_CHECKED_OP(QuantizeTrainOp)
CPQ_CHECKED_OP(QuantizeGradOp)
CPQ_CHECKED_OP(ReluGradOp)
CPQ_CHECKED_OP(Conv2dGradInputOp)
CPQ_CHECKED_OP(Conv2dGradFilterOp)
CPQ_CHECKED_OP(BiasGradOp)
CPQ_CHECKED_OP(DenseGradInputOp)
CPQ_CHECKED_OP(DenseGradWeightOp)
CPQ_CHECKED_OP(MaxPool2dGradOp)
CPQ_CHECKED_OP(AvgPool2dGradOp)
CPQ_CHECKED_OP(BatchNormTrainOp)
CPQ_CHECKED_OP(BatchNormGradOp)
CPQ_CHECKED_OP(FlattenGradOp)
CPQ_CHECKED_OP(SoftmaxCrossEntropyGradOp)
CPQ_CHECKED_OP(SoftmaxCrossEntropyHessianOp)
CPQ_CHECKED_OP(SquareOp)
CPQ_CHECKED_OP(SgdUpdateOp)
CPQ_CHECKED_OP(AdamUpdateOp)
