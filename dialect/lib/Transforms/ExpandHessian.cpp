//===- ExpandHessian.cpp - network -> hessian_diag ---------------------------===//
//
// This file implements --cpq-expand-hessian: the diagonal of the mean
// softmax cross-entropy's Hessian with respect to every trainable
// parameter, by Becker and LeCun's second-order backward pass (each layer's
// DifferentiableOp::buildCurvature), as one function a code generator turns
// into a single pipeline.
//
//===----------------------------------------------------------------------===//
#include "NetworkFunction.h"
#include "PassDetail.h"

#include "cpq/dialect/TrainingContext.h"
#include "cpq/runtime/roles.h"

#include "mlir/IR/Builders.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;
using namespace cpq::dialect;

namespace {

namespace roles = cpq::runtime::roles;

class ExpandHessianPass : public ExpandHessianBase<ExpandHessianPass> {
public:
  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (module.lookupSymbol("hessian_diag")) {
      module.emitError("the module already has a function named 'hessian_diag'");
      return signalPassFailure();
    }
    auto net = findNetworkFunction(module, network);
    if (failed(net) || failed(build(module, *net))) return signalPassFailure();
  }

private:
  LogicalResult build(ModuleOp module, NetworkFunction &net) {
    MLIRContext *ctx = module.getContext();
    Location loc = net.func.getLoc();
    OpBuilder b(ctx);
    auto inputType = net.func.getType().getInput(0).cast<RankedTensorType>();
    auto labelsType = RankedTensorType::get({inputType.getDimSize(0)}, b.getI32Type());
    auto scalarF32 = RankedTensorType::get({}, b.getF32Type());
    auto scalarI32 = RankedTensorType::get({}, b.getI32Type());
    Block &body = net.func.front();

    // The values that depend on a trainable parameter: only their
    // curvatures are needed.
    llvm::DenseSet<Value> varied;
    for (ParamOp p : net.params)
      if (p.trainable()) varied.insert(p.result());
    for (Operation &op : body.without_terminator())
      if (llvm::any_of(op.getOperands(), [&](Value v) { return varied.contains(v); }))
        varied.insert(op.result_begin(), op.result_end());

    // The function is built with the results of every trainable parameter
    // first, then trimmed to those that reach the loss.
    SmallVector<Type, 32> args;
    for (ParamOp p : net.params) args.push_back(p.getType());
    const unsigned inputArg = args.size();
    args.append({inputType, labelsType});
    auto fn = FuncOp::create(loc, "hessian_diag", b.getFunctionType(args, {}));
    module.push_back(fn);
    Block *entry = fn.addEntryBlock();
    for (unsigned i = 0; i < net.params.size(); ++i) setParamRole(fn, i, net.params[i]);
    setArgumentRole(fn, inputArg, roles::input, roles::input);
    setArgumentRole(fn, inputArg + 1, roles::labels, roles::labels);

    // Forward: the network as written.
    b.setInsertionPointToStart(entry);
    TrainingContext tc;
    tc.values.map(net.func.getArgument(0), entry->getArgument(inputArg));
    for (unsigned i = 0; i < net.params.size(); ++i) tc.values.map(net.params[i].result(), entry->getArgument(i));
    for (Operation &op : body.without_terminator()) {
      if (isa<ParamOp>(op)) continue;
      if (!MemoryEffectOpInterface::hasNoEffect(&op) || op.getNumRegions() != 0)
        return op.emitOpError("cannot be part of a network to differentiate (it has side effects or regions)");
      b.clone(op, tc.values);
    }
    Value logits = tc.lookup(net.logits);
    auto loss = b.create<SoftmaxCrossEntropyOp>(loc, TypeRange{scalarF32, scalarI32},
                                                ValueRange{logits, entry->getArgument(inputArg + 1)});

    // Backward, second order: curvatures accumulated over each value's uses.
    llvm::DenseMap<Value, Value> curvature;
    auto accumulate = [&](Value networkValue, Value h) {
      Value &slot = curvature[networkValue];
      slot = slot ? Value(b.create<AddOp>(loc, slot.getType(), slot, h)) : h;
    };
    accumulate(net.logits, b.create<SoftmaxCrossEntropyHessianOp>(loc, logits.getType(), logits).getResult());
    for (Operation &op : llvm::reverse(body.without_terminator())) {
      if (isa<ParamOp>(op)) continue;
      SmallVector<Value, 4> resultCurvatures;
      bool any = false;
      for (Value r : op.getResults()) {
        resultCurvatures.push_back(curvature.lookup(r));
        any |= bool(resultCurvatures.back());
      }
      if (!any) continue;
      auto d = dyn_cast<DifferentiableOp>(op);
      if (!d) return op.emitOpError("lies on the path to the loss but has no second-order backward pass");
      SmallVector<Value, 4> operandCurvatures;
      if (failed(d.buildCurvature(b, tc, resultCurvatures, operandCurvatures))) return failure();
      for (auto [operand, h] : llvm::zip(op.getOperands(), operandCurvatures))
        if (h && varied.contains(operand)) accumulate(operand, h);
    }

    SmallVector<Value, 32> outs;
    SmallVector<std::string, 32> names;
    for (ParamOp p : net.params) {
      if (!p.trainable()) continue;
      Value h = curvature.lookup(p.result());
      if (!h) {
        p.emitWarning("parameter \"") << p.name() << "\" does not reach the loss; hessian_diag has no result for it";
        continue;
      }
      outs.push_back(h);
      names.push_back((p.name() + cpq::runtime::hessian_suffix).str());
    }
    if (outs.empty()) return net.func.emitError("no trainable parameter reaches the loss: no Hessian to compute");
    outs.append({loss.loss(), loss.correct()});
    b.create<ReturnOp>(loc, outs);
    SmallVector<Type, 32> results;
    for (Value v : outs) results.push_back(v.getType());
    fn.setType(b.getFunctionType(args, results));
    for (unsigned i = 0; i < names.size(); ++i) setResultRole(fn, i, roles::hessian, names[i]);
    setResultRole(fn, names.size(), roles::loss, roles::loss);
    setResultRole(fn, names.size() + 1, roles::correct, roles::correct);

    // What nobody needs (the input's curvature, squares of first weights).
    SmallVector<Operation *, 64> ops;
    for (Operation &op : entry->without_terminator()) ops.push_back(&op);
    for (Operation *op : llvm::reverse(ops))
      if (isOpTriviallyDead(op)) op->erase();
    return success();
  }
};

} // namespace

std::unique_ptr<Pass> cpq::dialect::createExpandHessianPass() { return std::make_unique<ExpandHessianPass>(); }
