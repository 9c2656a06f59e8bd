//===- CpqGradients.cpp - how each layer is trained and differentiated ------===//
//
// This file implements DifferentiableOp for the cpq layers: the training-step
// form of the ops that change in training (quantize draws DropBits masks and
// gates, batch_norm uses batch statistics and updates its running ones) and,
// for every layer, the ops computing its operands' gradients from its
// results' (reverse mode; the quantizer's is the multi-class STE of
// cpq-method.md section 3).
//
//===----------------------------------------------------------------------===//
#include "cpq/dialect/CpqDialect.h"

#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace cpq::dialect;

namespace {

/// Creates an op whose result types follow from its operands and attributes.
template <typename OpT>
OpT createInferred(OpBuilder &b, Location loc, ValueRange operands, ArrayRef<NamedAttribute> attrs = {}) {
  SmallVector<Type, 4> types;
  if (failed(OpT::inferReturnTypes(b.getContext(), loc, operands, b.getDictionaryAttr(attrs), {}, types)))
    return nullptr;
  return b.create<OpT>(loc, types, operands, attrs);
}

/// The op's attributes, minus the ones named.
SmallVector<NamedAttribute, 8> attributesOf(Operation *op) {
  return SmallVector<NamedAttribute, 8>(op->getAttrs().begin(), op->getAttrs().end());
}

Value mapped(TrainingContext &ctx, Value networkValue) { return ctx.lookup(networkValue); }

/// dx = GradOpT(dy, x) for layers with one differentiable operand, x;
/// `attrs` are the forward op's (window sizes).
template <typename GradOpT>
LogicalResult inputGradient(OpBuilder &b, TrainingContext &ctx, Operation *op, Value dy,
                            SmallVectorImpl<Value> &operandGrads, ArrayRef<NamedAttribute> attrs = {}) {
  auto dx = createInferred<GradOpT>(b, op->getLoc(), {dy, ctx.lookup(op->getOperand(0))}, attrs);
  if (!dx) return failure();
  operandGrads.assign({Value(dx)});
  return success();
}

/// Gradients of (input, weight[, bias]) of conv2d and dense; `dy` is null
/// when the layer has no bias.
LogicalResult weightedGradients(OpBuilder &b, Location loc, Value dx, Value dw, Value dy,
                                SmallVectorImpl<Value> &operandGrads) {
  if (!dx || !dw) return failure();
  operandGrads.assign({dx, dw});
  if (dy) {
    auto db = createInferred<BiasGradOp>(b, loc, {dy});
    if (!db) return failure();
    operandGrads.push_back(db);
  }
  return success();
}

/// Fills `grads` with `count` nulls.
void noGradients(SmallVectorImpl<Value> &grads, unsigned count) { grads.assign(count, Value()); }

} // namespace

//===----------------------------------------------------------------------===//
// Training forms
//===----------------------------------------------------------------------===//

LogicalResult QuantizeOp::buildTrainingForward(OpBuilder &b, TrainingContext &ctx) {
  SmallVector<Value, 6> operands = {mapped(ctx, input()), mapped(ctx, alpha()), mapped(ctx, sigma()), ctx.seed,
                                    ctx.step};
  if (gate_logits()) operands.push_back(mapped(ctx, gate_logits()));
  auto attrs = attributesOf(*this);
  attrs.push_back(b.getNamedAttr("tensor_id", b.getI64IntegerAttr(ctx.nextTensorId++)));
  auto train = createInferred<QuantizeTrainOp>(b, getLoc(), operands, attrs);
  if (!train) return failure();
  ctx.values.map(output(), train.output());
  ctx.trainingOps[getOperation()] = train;
  return success();
}

LogicalResult BatchNormOp::buildTrainingForward(OpBuilder &b, TrainingContext &ctx) {
  SmallVector<Value, 5> operands;
  for (Value v : getOperands()) operands.push_back(mapped(ctx, v));
  auto train = createInferred<BatchNormTrainOp>(b, getLoc(), operands, attributesOf(*this));
  if (!train) return failure();
  ctx.values.map(output(), train.output());
  ctx.trainingOps[getOperation()] = train;
  ctx.stateUpdates.push_back({mean(), train.new_mean()});
  ctx.stateUpdates.push_back({variance(), train.new_variance()});
  return success();
}

//===----------------------------------------------------------------------===//
// Gradients
//===----------------------------------------------------------------------===//

LogicalResult QuantizeOp::buildGradient(OpBuilder &b, TrainingContext &ctx, ArrayRef<Value> resultGrads,
                                        SmallVectorImpl<Value> &operandGrads) {
  auto train = dyn_cast_or_null<QuantizeTrainOp>(ctx.trainingOps.lookup(getOperation()));
  if (!train) return emitOpError("has no training form to differentiate");
  SmallVector<Value, 7> operands = {resultGrads[0], train.input(), train.alpha(), train.sigma(), train.seed(),
                                    train.step()};
  if (train.gate_logits()) operands.push_back(train.gate_logits());
  auto grad = createInferred<QuantizeGradOp>(b, getLoc(), operands, attributesOf(train));
  if (!grad) return failure();
  operandGrads.assign({grad.input_grad(), grad.alpha_grad(), grad.sigma_grad()});
  if (gate_logits()) operandGrads.push_back(grad.gate_logits_grad());
  return success();
}

LogicalResult BatchNormOp::buildGradient(OpBuilder &b, TrainingContext &ctx, ArrayRef<Value> resultGrads,
                                         SmallVectorImpl<Value> &operandGrads) {
  auto train = dyn_cast_or_null<BatchNormTrainOp>(ctx.trainingOps.lookup(getOperation()));
  if (!train) return emitOpError("has no training form to differentiate");
  auto grad = createInferred<BatchNormGradOp>(
      b, getLoc(), {resultGrads[0], train.input(), train.gamma(), train.batch_mean(), train.batch_inv_std()});
  if (!grad) return failure();
  // The running statistics are state, not trained.
  operandGrads.assign({grad.input_grad(), grad.gamma_grad(), grad.beta_grad(), Value(), Value()});
  return success();
}

LogicalResult Conv2dOp::buildGradient(OpBuilder &b, TrainingContext &ctx, ArrayRef<Value> resultGrads,
                                      SmallVectorImpl<Value> &operandGrads) {
  Value dy = resultGrads[0], x = mapped(ctx, input()), w = mapped(ctx, filter());
  auto attrs = attributesOf(*this);
  auto dx = createInferred<Conv2dGradInputOp>(b, getLoc(), {dy, x, w}, attrs);
  auto dw = createInferred<Conv2dGradFilterOp>(b, getLoc(), {dy, x, w}, attrs);
  return weightedGradients(b, getLoc(), dx, dw, bias() ? dy : Value(), operandGrads);
}

LogicalResult DenseOp::buildGradient(OpBuilder &b, TrainingContext &ctx, ArrayRef<Value> resultGrads,
                                     SmallVectorImpl<Value> &operandGrads) {
  Value dy = resultGrads[0], x = mapped(ctx, input()), w = mapped(ctx, weight());
  auto dx = createInferred<DenseGradInputOp>(b, getLoc(), {dy, w});
  auto dw = createInferred<DenseGradWeightOp>(b, getLoc(), {dy, x});
  return weightedGradients(b, getLoc(), dx, dw, bias() ? dy : Value(), operandGrads);
}

LogicalResult ReluOp::buildGradient(OpBuilder &b, TrainingContext &ctx, ArrayRef<Value> resultGrads,
                                    SmallVectorImpl<Value> &operandGrads) {
  return inputGradient<ReluGradOp>(b, ctx, *this, resultGrads[0], operandGrads);
}

LogicalResult MaxPool2dOp::buildGradient(OpBuilder &b, TrainingContext &ctx, ArrayRef<Value> resultGrads,
                                         SmallVectorImpl<Value> &operandGrads) {
  return inputGradient<MaxPool2dGradOp>(b, ctx, *this, resultGrads[0], operandGrads, attributesOf(*this));
}

LogicalResult AvgPool2dOp::buildGradient(OpBuilder &b, TrainingContext &ctx, ArrayRef<Value> resultGrads,
                                         SmallVectorImpl<Value> &operandGrads) {
  return inputGradient<AvgPool2dGradOp>(b, ctx, *this, resultGrads[0], operandGrads, attributesOf(*this));
}

LogicalResult FlattenOp::buildGradient(OpBuilder &b, TrainingContext &ctx, ArrayRef<Value> resultGrads,
                                       SmallVectorImpl<Value> &operandGrads) {
  if (!input().getType().cast<RankedTensorType>().getElementType().isF32()) {
    noGradients(operandGrads, 1);
    return success();
  }
  return inputGradient<FlattenGradOp>(b, ctx, *this, resultGrads[0], operandGrads);
}

LogicalResult AddOp::buildGradient(OpBuilder &, TrainingContext &, ArrayRef<Value> resultGrads,
                                   SmallVectorImpl<Value> &operandGrads) {
  operandGrads.assign({resultGrads[0], resultGrads[0]});
  return success();
}

//===----------------------------------------------------------------------===//
// Second-order backward pass (Becker and LeCun's diagonal recursion)
//===----------------------------------------------------------------------===//

namespace {

Value squared(OpBuilder &b, Location loc, Value v) { return b.create<SquareOp>(loc, v.getType(), v); }

} // namespace

LogicalResult Conv2dOp::buildCurvature(OpBuilder &b, TrainingContext &ctx, ArrayRef<Value> resultCurvatures,
                                       SmallVectorImpl<Value> &operandCurvatures) {
  // The convolution's gradient ops, on the squared filter (for the input)
  // and on the squared input (for the filter).
  Value hy = resultCurvatures[0], x = mapped(ctx, input()), w = mapped(ctx, filter());
  auto attrs = attributesOf(*this);
  auto hx = createInferred<Conv2dGradInputOp>(b, getLoc(), {hy, x, squared(b, getLoc(), w)}, attrs);
  auto hw = createInferred<Conv2dGradFilterOp>(b, getLoc(), {hy, squared(b, getLoc(), x), w}, attrs);
  return weightedGradients(b, getLoc(), hx, hw, bias() ? hy : Value(), operandCurvatures);
}

LogicalResult DenseOp::buildCurvature(OpBuilder &b, TrainingContext &ctx, ArrayRef<Value> resultCurvatures,
                                      SmallVectorImpl<Value> &operandCurvatures) {
  Value hy = resultCurvatures[0], x = mapped(ctx, input()), w = mapped(ctx, weight());
  auto hx = createInferred<DenseGradInputOp>(b, getLoc(), {hy, squared(b, getLoc(), w)});
  auto hw = createInferred<DenseGradWeightOp>(b, getLoc(), {hy, squared(b, getLoc(), x)});
  return weightedGradients(b, getLoc(), hx, hw, bias() ? hy : Value(), operandCurvatures);
}

// relu' is 0 or 1, its square the same mask; its second derivative is zero
// almost everywhere: the curvature passes where the gradient does.
LogicalResult ReluOp::buildCurvature(OpBuilder &b, TrainingContext &ctx, ArrayRef<Value> resultCurvatures,
                                     SmallVectorImpl<Value> &operandCurvatures) {
  return inputGradient<ReluGradOp>(b, ctx, *this, resultCurvatures[0], operandCurvatures);
}

// Max pooling routes each output to one input (a 0/1 Jacobian).
LogicalResult MaxPool2dOp::buildCurvature(OpBuilder &b, TrainingContext &ctx, ArrayRef<Value> resultCurvatures,
                                          SmallVectorImpl<Value> &operandCurvatures) {
  return inputGradient<MaxPool2dGradOp>(b, ctx, *this, resultCurvatures[0], operandCurvatures, attributesOf(*this));
}

LogicalResult FlattenOp::buildCurvature(OpBuilder &b, TrainingContext &ctx, ArrayRef<Value> resultCurvatures,
                                        SmallVectorImpl<Value> &operandCurvatures) {
  return buildGradient(b, ctx, resultCurvatures, operandCurvatures);
}

// A sum's Jacobian is the identity for both operands.
LogicalResult AddOp::buildCurvature(OpBuilder &b, TrainingContext &ctx, ArrayRef<Value> resultCurvatures,
                                    SmallVectorImpl<Value> &operandCurvatures) {
  return buildGradient(b, ctx, resultCurvatures, operandCurvatures);
}
