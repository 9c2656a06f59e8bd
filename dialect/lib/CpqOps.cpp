//===- CpqOps.cpp - checks and result types of parameters and layers -------===//
//
// This file implements the checks of cpq.param and of the layer ops (what a
// user writes) and their result types: every inconsistency (ranks, channel
// counts, window sizes, a grid that does not fit the data, an alpha that
// does not match the per-channel axis) is reported once, naming the op, the
// operand and the sizes involved (OpChecks.h says how checks and inference
// meet). It also holds the ops' generated definitions.
//
//===----------------------------------------------------------------------===//
#include "OpChecks.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace cpq::dialect;
using namespace cpq::dialect::checks;

//===----------------------------------------------------------------------===//
// Parameters
//===----------------------------------------------------------------------===//

LogicalResult cpq::dialect::verifyOp(ParamOp op) {
  auto type = op.getType().cast<RankedTensorType>();
  if (!type.hasStaticShape())
    return op.emitOpError("parameter \"") << op.name() << "\" needs a static shape, got " << type;
  if (op.name().empty()) return op.emitOpError("parameter name must not be empty");
  const InitKind init = op.init();
  const StringRef initName = stringifyInitKind(init);
  if (init == InitKind::Constant && !op.value())
    return op.emitOpError("init = \"constant\" needs a value attribute");
  if (init != InitKind::Constant && op.value())
    return op.emitOpError("a value is only allowed with init = \"constant\" (got init = \"") << initName << "\")";
  if (auto value = op.valueAttr()) {
    // The passes and the code generator read the values densely.
    if (!value.isa<DenseElementsAttr>())
      return op.emitOpError("value must be a dense elements attribute, got ") << value;
    if (value.getType() != type)
      return op.emitOpError("value has type ") << value.getType() << " but the parameter is " << type;
  }
  if ((init == InitKind::HeNormal || init == InitKind::GlorotUniform) && type.getRank() < 2)
    return op.emitOpError("init \"") << initName << "\" needs a weight of rank >= 2 to know its fan-in, got " << type;
  for (Operation &other : *op->getBlock()) {
    if (&other == op.getOperation()) break;
    if (auto p = dyn_cast<ParamOp>(other); p && p.name() == op.name())
      return op.emitOpError("parameter name \"") << op.name() << "\" is used twice in this function";
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Layers
//===----------------------------------------------------------------------===//

namespace {

Window windowOf(Conv2dOpAdaptor &a) { return {Attribute(), a.strideAttr(), a.paddingAttr(), int64_t(a.groups())}; }
template <class Adaptor> Window poolWindowOf(Adaptor &a) {
  return {a.kernelAttr(), a.strideAttr(), a.paddingAttr(), 1};
}

FailureOr<RankedTensorType> check(Conv2dOpAdaptor a, const Checker &c) {
  auto x = c.floats(a.input(), "input", 4);
  if (failed(x)) return failure();
  auto w = c.floats(a.filter(), "filter", 4);
  if (failed(w)) return failure();
  if (!w->hasStaticShape()) return c.refuse("filter needs a static shape");
  auto shape = convShape(c, *x, w->getShape(), "filter", windowOf(a));
  if (failed(shape)) return failure();
  if (a.bias()) {
    auto b = c.tensor(a.bias(), "bias", 1);
    if (failed(b) || failed(expectShape(c, "bias", *b, {w->getDimSize(0)}))) return failure();
  }
  return RankedTensorType::get(*shape, x->getElementType());
}

FailureOr<RankedTensorType> check(DenseOpAdaptor a, const Checker &c) {
  auto x = c.floats(a.input(), "input", 2);
  if (failed(x)) return failure();
  auto w = c.floats(a.weight(), "weight", 2);
  if (failed(w)) return failure();
  if (!w->hasStaticShape()) return c.refuse("weight needs a static shape");
  if (!compatible(x->getDimSize(1), w->getDimSize(1)))
    return c.refuse("input has " + Twine(x->getDimSize(1)) + " features but the weight expects " +
                  Twine(w->getDimSize(1)));
  if (a.bias()) {
    auto b = c.tensor(a.bias(), "bias", 1);
    if (failed(b) || failed(expectShape(c, "bias", *b, {w->getDimSize(0)}))) return failure();
  }
  return RankedTensorType::get({x->getDimSize(0), w->getDimSize(0)}, x->getElementType());
}

FailureOr<RankedTensorType> check(ReluOpAdaptor a, const Checker &c) { return c.tensor(a.input(), "input"); }

/// maxpool2d takes floats or integer levels; avgpool2d floats.
FailureOr<RankedTensorType> check(MaxPool2dOpAdaptor a, const Checker &c) {
  auto x = c.tensor(a.input(), "input", 4);
  if (failed(x)) return failure();
  auto shape = poolShape(c, *x, poolWindowOf(a));
  if (failed(shape)) return failure();
  return RankedTensorType::get(*shape, x->getElementType());
}

FailureOr<RankedTensorType> check(AvgPool2dOpAdaptor a, const Checker &c) {
  auto x = c.floats(a.input(), "input", 4);
  if (failed(x)) return failure();
  auto shape = poolShape(c, *x, poolWindowOf(a));
  if (failed(shape)) return failure();
  return RankedTensorType::get(*shape, x->getElementType());
}

FailureOr<RankedTensorType> check(BatchNormOpAdaptor a, const Checker &c) { return batchNormInput(a, c); }

FailureOr<RankedTensorType> check(FlattenOpAdaptor a, const Checker &c) { return flattened(c, a.input()); }

FailureOr<RankedTensorType> check(AddOpAdaptor a, const Checker &c) {
  RankedTensorType first;
  if (failed(sameShapes(c, {{a.lhs(), "lhs"}, {a.rhs(), "rhs"}}, first))) return failure();
  return first;
}

LogicalResult check(SoftmaxCrossEntropyOpAdaptor a, const Checker &c) { return checkLoss(c, a.logits(), a.labels()); }

FailureOr<RankedTensorType> check(QuantizeOpAdaptor a, const Checker &c) {
  auto x = c.floats(a.input(), "input");
  if (failed(x) || failed(checkQuantizer(c, *x, quantizerOf(a)))) return failure();
  return x;
}

} // namespace

CPQ_CHECKED_OP(Conv2dOp)
CPQ_CHECKED_OP(DenseOp)
CPQ_CHECKED_OP(ReluOp)
CPQ_CHECKED_OP(MaxPool2dOp)
CPQ_CHECKED_OP(AvgPool2dOp)
CPQ_CHECKED_OP(BatchNormOp)
CPQ_CHECKED_OP(FlattenOp)
CPQ_CHECKED_OP(AddOp)
CPQ_CHECKED_OP(QuantizeOp)

CPQ_INFER(SoftmaxCrossEntropyOp) {
  CPQ_ADAPT(SoftmaxCrossEntropyOp);
  if (failed(check(a, c))) return failure();
  types.push_back(RankedTensorType::get({}, FloatType::getF32(ctx)));
  types.push_back(RankedTensorType::get({}, IntegerType::get(ctx, 32)));
  return success();
}
LogicalResult cpq::dialect::verifyOp(SoftmaxCrossEntropyOp op) { return check(SoftmaxCrossEntropyOpAdaptor(op), Checker(op)); }

#define GET_OP_CLASSES
#include "CpqOps.cpp.inc"
