//===- ExpandTraining.cpp - network -> train_step and eval_step -------------===//
//
// This file implements --cpq-expand-training: it differentiates a network
// function in reverse mode and adds the optimizer update of every trainable
// parameter, giving one train_step function a code generator can turn into a
// single pipeline, and the matching eval_step.
//
//===----------------------------------------------------------------------===//
#include "NetworkFunction.h"
#include "PassDetail.h"

#include "cpq/runtime/roles.h"

#include "mlir/IR/BlockAndValueMapping.h"
#include "mlir/IR/Builders.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "mlir/Transforms/RegionUtils.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLExtras.h"

#include <algorithm>
#include <cmath>

using namespace mlir;
using namespace cpq::dialect;

namespace {

/// A parameter of the network and where it sits in train_step.
struct Parameter {
  ParamOp op;
  unsigned argument = 0;                 // index among train_step's arguments
  SmallVector<unsigned, 2> stateArguments; // optimizer state of this parameter
};

struct Network {
  FuncOp func;
  SmallVector<Parameter, 16> params;
  Value logits; // the returned value
};

namespace roles = cpq::runtime::roles;

FailureOr<Network> findNetwork(ModuleOp module, StringRef name) {
  auto found = findNetworkFunction(module, name);
  if (failed(found)) return failure();
  Network net;
  net.func = found->func;
  net.logits = found->logits;
  for (ParamOp p : found->params) net.params.push_back({p});
  return net;
}

void setRole(FuncOp f, unsigned arg, StringRef role, StringRef name) { setArgumentRole(f, arg, role, name); }

class ExpandTrainingPass : public ExpandTrainingBase<ExpandTrainingPass> {
public:
  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (optimizer != "adam" && optimizer != "sgd") {
      module.emitError("optimizer must be adam or sgd, got '") << optimizer << "'";
      return signalPassFailure();
    }
    for (auto [name, value] : {std::pair<const char *, double>{"scale-floor", scaleFloor}, {"sigma-floor", sigmaFloor}}) {
      if (!(value >= 0.0 && std::isfinite(value))) {
        module.emitError(name) << " must be a finite number >= 0, got " << value;
        return signalPassFailure();
      }
    }
    if (!(gateLrScale > 0.0 && std::isfinite(gateLrScale))) {
      module.emitError("gate-lr-scale must be a positive number, got ") << gateLrScale;
      return signalPassFailure();
    }
    if (scaleStep != "relative" && scaleStep != "absolute") {
      module.emitError("scale-step must be relative or absolute, got '") << scaleStep << "'";
      return signalPassFailure();
    }
    for (StringRef name : {"train_step", "eval_step"}) {
      if (module.lookupSymbol(name)) {
        module.emitError("the module already has a function named '") << name << "'";
        return signalPassFailure();
      }
    }
    auto net = findNetwork(module, network);
    if (failed(net) || failed(buildTrainStep(module, *net)) || failed(buildEvalStep(module, *net)))
      return signalPassFailure();
  }

private:
  unsigned stateCount() const { return optimizer == "adam" ? 2 : 1; }

  LogicalResult buildTrainStep(ModuleOp module, Network &net) {
    MLIRContext *ctx = module.getContext();
    Location loc = net.func.getLoc();
    OpBuilder b(ctx);
    auto inputType = net.func.getType().getInput(0).cast<RankedTensorType>();
    auto labelsType = RankedTensorType::get({inputType.getDimSize(0)}, b.getI32Type());

    SmallVector<Type, 32> args;
    for (Parameter &p : net.params) {
      p.argument = args.size();
      args.push_back(p.op.getType());
    }
    for (Parameter &p : net.params) {
      if (!p.op.trainable()) continue;
      for (unsigned k = 0; k < stateCount(); ++k) {
        p.stateArguments.push_back(args.size());
        args.push_back(p.op.getType());
      }
    }
    const unsigned inputArg = args.size();
    args.append({inputType, labelsType, b.getI64Type(), b.getI64Type(), b.getF32Type()});
    SmallVector<Type, 32> results;
    for (unsigned i = 0; i < inputArg; ++i) results.push_back(args[i]);
    auto scalarF32 = RankedTensorType::get({}, b.getF32Type());
    auto scalarI32 = RankedTensorType::get({}, b.getI32Type());
    results.append({scalarF32, scalarI32});

    auto step = FuncOp::create(loc, "train_step", b.getFunctionType(args, results));
    module.push_back(step);
    Block *entry = step.addEntryBlock();
    namespace suffix = cpq::runtime::state_suffix;
    static const char *adamState[] = {suffix::adam_first_moment, suffix::adam_second_moment};
    for (Parameter &p : net.params) {
      setParamRole(step, p.argument, p.op);
      setResultRole(step, p.argument, roles::param, p.op.name());
      for (unsigned k = 0; k < p.stateArguments.size(); ++k) {
        std::string name = (p.op.name() + (optimizer == "adam" ? adamState[k] : suffix::momentum)).str();
        setRole(step, p.stateArguments[k], roles::state, name);
        setResultRole(step, p.stateArguments[k], roles::state, name);
      }
    }
    static const char *tail[] = {roles::input, roles::labels, roles::step, roles::seed, roles::learning_rate};
    for (unsigned k = 0; k < 5; ++k) setRole(step, inputArg + k, tail[k], tail[k]);
    setResultRole(step, inputArg, roles::loss, roles::loss);
    setResultRole(step, inputArg + 1, roles::correct, roles::correct);

    b.setInsertionPointToStart(entry);
    TrainingContext tc;
    tc.step = entry->getArgument(inputArg + 2);
    tc.seed = entry->getArgument(inputArg + 3);
    Value lr = entry->getArgument(inputArg + 4), labels = entry->getArgument(inputArg + 1);
    tc.values.map(net.func.getArgument(0), entry->getArgument(inputArg));
    for (Parameter &p : net.params) tc.values.map(p.op.result(), entry->getArgument(p.argument));

    // Forward, in training form.
    Block &body = net.func.front();
    for (Operation &op : body.without_terminator()) {
      if (isa<ParamOp>(op)) continue;
      if (auto d = dyn_cast<DifferentiableOp>(op)) {
        if (failed(d.buildTrainingForward(b, tc))) return failure();
      } else if (MemoryEffectOpInterface::hasNoEffect(&op) && op.getNumRegions() == 0) {
        b.clone(op, tc.values);
      } else {
        return op.emitOpError("cannot be part of a network to train (it has side effects or regions)");
      }
    }
    Value logits = tc.lookup(net.logits);
    auto loss = b.create<SoftmaxCrossEntropyOp>(loc, TypeRange{scalarF32, scalarI32}, ValueRange{logits, labels});

    // Backward: the gradient of each network value that depends on a trainable
    // parameter, accumulated over its uses.
    llvm::DenseSet<Value> varied;
    for (Parameter &p : net.params)
      if (p.op.trainable()) varied.insert(p.op.result());
    for (Operation &op : body.without_terminator())
      if (llvm::any_of(op.getOperands(), [&](Value v) { return varied.contains(v); }))
        varied.insert(op.result_begin(), op.result_end());
    llvm::DenseMap<Value, Value> grads;
    auto accumulate = [&](Value networkValue, Value grad) {
      Value &slot = grads[networkValue];
      slot = slot ? Value(b.create<AddOp>(loc, slot.getType(), slot, grad)) : grad;
    };
    accumulate(net.logits,
               b.create<SoftmaxCrossEntropyGradOp>(loc, logits.getType(), ValueRange{logits, labels}).getResult());
    for (Operation &op : llvm::reverse(body.without_terminator())) {
      if (isa<ParamOp>(op)) continue;
      SmallVector<Value, 4> resultGrads;
      bool any = false;
      for (Value r : op.getResults()) {
        resultGrads.push_back(grads.lookup(r));
        any |= bool(resultGrads.back());
      }
      if (!any) continue;
      auto d = dyn_cast<DifferentiableOp>(op);
      if (!d) return op.emitOpError("lies on the path to the loss but has no gradient");
      SmallVector<Value, 4> operandGrads;
      if (failed(d.buildGradient(b, tc, resultGrads, operandGrads))) return failure();
      for (auto [operand, grad] : llvm::zip(op.getOperands(), operandGrads))
        if (grad && varied.contains(operand)) accumulate(operand, grad);
    }

    // Optimizer updates; layer state (running statistics) as its layer left it.
    SmallVector<Value, 32> outs(inputArg);
    for (Parameter &p : net.params) {
      Value param = entry->getArgument(p.argument);
      outs[p.argument] = param;
      for (unsigned s : p.stateArguments) outs[s] = entry->getArgument(s);
      if (!p.op.trainable()) {
        for (auto &[networkValue, updated] : tc.stateUpdates)
          if (networkValue == p.op.result()) outs[p.argument] = updated;
        continue;
      }
      Value grad = grads.lookup(p.op.result());
      if (!grad) {
        p.op.emitWarning("parameter \"") << p.op.name() << "\" does not reach the loss; train_step leaves it unchanged";
        continue;
      }
      const double decay = p.op.getType().cast<RankedTensorType>().getRank() >= 2 ? weightDecay.getValue() : 0.0;
      const Optional<double> bound = scaleBound(p.op);
      const bool relative = scaleStep == "relative" && isQuantizerScale(p.op);
      const double lrScale = isGateLogits(p.op) ? gateLrScale.getValue() : 1.0;
      if (optimizer == "adam") {
        auto update = b.create<AdamUpdateOp>(
            loc, TypeRange{param.getType(), param.getType(), param.getType()},
            ValueRange{param, grad, entry->getArgument(p.stateArguments[0]), entry->getArgument(p.stateArguments[1]),
                       lr, tc.step},
            ArrayRef<NamedAttribute>{b.getNamedAttr("beta1", b.getF64FloatAttr(beta1)),
                                     b.getNamedAttr("beta2", b.getF64FloatAttr(beta2)),
                                     b.getNamedAttr("epsilon", b.getF64FloatAttr(epsilon)),
                                     b.getNamedAttr("weight_decay", b.getF64FloatAttr(decay))});
        if (bound) update->setAttr("lower_bound", b.getF64FloatAttr(*bound));
        if (relative) update->setAttr("relative", b.getUnitAttr());
        if (lrScale != 1.0) update->setAttr("lr_scale", b.getF64FloatAttr(lrScale));
        outs[p.argument] = update.new_param();
        outs[p.stateArguments[0]] = update.new_first_moment();
        outs[p.stateArguments[1]] = update.new_second_moment();
      } else {
        SmallVector<NamedAttribute, 3> attrs = {b.getNamedAttr("momentum", b.getF64FloatAttr(momentum)),
                                                b.getNamedAttr("weight_decay", b.getF64FloatAttr(decay))};
        if (nesterov) attrs.push_back(b.getNamedAttr("nesterov", b.getUnitAttr()));
        if (bound) attrs.push_back(b.getNamedAttr("lower_bound", b.getF64FloatAttr(*bound)));
        if (relative) attrs.push_back(b.getNamedAttr("relative", b.getUnitAttr()));
        if (lrScale != 1.0) attrs.push_back(b.getNamedAttr("lr_scale", b.getF64FloatAttr(lrScale)));
        auto update = b.create<SgdUpdateOp>(loc, TypeRange{param.getType(), param.getType()},
                                            ValueRange{param, grad, entry->getArgument(p.stateArguments[0]), lr}, attrs);
        outs[p.argument] = update.new_param();
        outs[p.stateArguments[0]] = update.new_momentum_buffer();
      }
    }
    outs.append({loss.loss(), loss.correct()});
    b.create<ReturnOp>(loc, outs);
    // Gradients nobody needs (the input's, a first layer's) go away.
    SmallVector<Operation *, 64> ops;
    for (Operation &op : entry->without_terminator()) ops.push_back(&op);
    for (Operation *op : llvm::reverse(ops))
      if (isOpTriviallyDead(op)) op->erase();
    return success();
  }

  /// Whether the parameter is a quantizer's learned bit-width gate logits.
  static bool isGateLogits(ParamOp op) {
    return llvm::any_of(op.result().getUses(), [](OpOperand &use) {
      auto q = dyn_cast<QuantizeOp>(use.getOwner());
      return q && q.gate_logits() == use.get();
    });
  }

  /// Whether the parameter is a quantizer's alpha or sigma.
  static bool isQuantizerScale(ParamOp op) {
    return llvm::any_of(op.result().getUses(), [](OpOperand &use) {
      return isa<QuantizeOp>(use.getOwner()) && (use.getOperandNumber() == 1 || use.getOperandNumber() == 2);
    });
  }

  /// The lower bound of a quantizer's alpha (scale-floor times its smallest
  /// initial value) or sigma (the larger of scale-floor and sigma-floor times
  /// its smallest initial value); none for other parameters.
  Optional<double> scaleBound(ParamOp op) {
    double fraction = 0;
    for (OpOperand &use : op.result().getUses()) {
      if (!isa<QuantizeOp>(use.getOwner())) continue;
      if (use.getOperandNumber() == 1) fraction = std::max(fraction, scaleFloor.getValue());
      if (use.getOperandNumber() == 2)
        fraction = std::max({fraction, scaleFloor.getValue(), sigmaFloor.getValue()});
    }
    if (!(fraction > 0)) return llvm::None;
    double smallest = 0;
    if (op.init() == InitKind::Ones) {
      smallest = 1.0;
    } else if (auto dense = op.valueAttr().dyn_cast_or_null<DenseElementsAttr>()) {
      smallest = HUGE_VAL;
      for (FloatAttr v : dense.getValues<FloatAttr>()) smallest = std::min(smallest, v.getValueAsDouble());
    }
    if (!(smallest > 0) || smallest == HUGE_VAL) return llvm::None;
    return fraction * smallest;
  }

  LogicalResult buildEvalStep(ModuleOp module, Network &net) {
    MLIRContext *ctx = module.getContext();
    Location loc = net.func.getLoc();
    OpBuilder b(ctx);
    auto inputType = net.func.getType().getInput(0).cast<RankedTensorType>();
    SmallVector<Type, 32> args;
    for (Parameter &p : net.params) args.push_back(p.op.getType());
    args.append({inputType, RankedTensorType::get({inputType.getDimSize(0)}, b.getI32Type())});
    auto scalarF32 = RankedTensorType::get({}, b.getF32Type());
    auto scalarI32 = RankedTensorType::get({}, b.getI32Type());
    auto eval = FuncOp::create(loc, "eval_step", b.getFunctionType(args, {scalarF32, scalarI32}));
    module.push_back(eval);
    Block *entry = eval.addEntryBlock();
    for (unsigned i = 0; i < net.params.size(); ++i) setParamRole(eval, i, net.params[i].op);
    setRole(eval, net.params.size(), roles::input, roles::input);
    setRole(eval, net.params.size() + 1, roles::labels, roles::labels);
    setResultRole(eval, 0, roles::loss, roles::loss);
    setResultRole(eval, 1, roles::correct, roles::correct);

    b.setInsertionPointToStart(entry);
    BlockAndValueMapping map;
    map.map(net.func.getArgument(0), entry->getArgument(net.params.size()));
    for (unsigned i = 0; i < net.params.size(); ++i) map.map(net.params[i].op.result(), entry->getArgument(i));
    for (Operation &op : net.func.front().without_terminator())
      if (!isa<ParamOp>(op)) b.clone(op, map);
    auto loss = b.create<SoftmaxCrossEntropyOp>(
        loc, TypeRange{scalarF32, scalarI32},
        ValueRange{map.lookup(net.logits), entry->getArgument(net.params.size() + 1)});
    b.create<ReturnOp>(loc, loss.getResults());
    return success();
  }
};

} // namespace

std::unique_ptr<Pass> cpq::dialect::createExpandTrainingPass() { return std::make_unique<ExpandTrainingPass>(); }
