//===- NetworkFunction.cpp - the network function the expansions start from -===//
#include "NetworkFunction.h"

#include "cpq/runtime/roles.h"

#include "mlir/IR/Builders.h"

#include "llvm/ADT/STLExtras.h"

using namespace mlir;

namespace cpq::dialect {

FailureOr<NetworkFunction> findNetworkFunction(ModuleOp module, StringRef name) {
  NetworkFunction net;
  if (!name.empty()) {
    net.func = module.lookupSymbol<FuncOp>(name);
    if (!net.func) {
      module.emitError("no function named '") << name << "' to expand";
      return failure();
    }
  } else {
    SmallVector<FuncOp, 2> candidates;
    for (FuncOp f : module.getOps<FuncOp>())
      if (!f.isExternal() && !f.getOps<ParamOp>().empty()) candidates.push_back(f);
    if (candidates.size() != 1) {
      module.emitError("found ") << candidates.size()
                                 << " functions with cpq.param ops; name the network with network=<function>";
      return failure();
    }
    net.func = candidates.front();
  }
  FuncOp f = net.func;
  if (f.isExternal() || !llvm::hasSingleElement(f.getBody())) {
    f.emitError("the network must be a function with a body of one block");
    return failure();
  }
  auto type = f.getType();
  auto input = type.getNumInputs() == 1 ? type.getInput(0).dyn_cast<RankedTensorType>() : RankedTensorType();
  if (!input || !input.getElementType().isF32() || input.getRank() < 2) {
    f.emitError("the network must take one argument, the input batch (a float32 tensor with a batch axis), got ")
        << type;
    return failure();
  }
  auto logits = type.getNumResults() == 1 ? type.getResult(0).dyn_cast<RankedTensorType>() : RankedTensorType();
  if (!logits || !logits.getElementType().isF32() || logits.getRank() != 2) {
    f.emitError("the network must return one value, the logits (N x classes, float32), got ") << type;
    return failure();
  }
  for (Operation &op : f.front())
    if (auto p = dyn_cast<ParamOp>(op)) net.params.push_back(p);
  net.logits = f.front().getTerminator()->getOperand(0);
  return net;
}

void setArgumentRole(FuncOp f, unsigned arg, StringRef role, StringRef name) {
  Builder b(f.getContext());
  f.setArgAttr(arg, "cpq.role", b.getStringAttr(role));
  f.setArgAttr(arg, "cpq.name", b.getStringAttr(name));
}

void setParamRole(FuncOp f, unsigned arg, ParamOp p) {
  Builder b(f.getContext());
  setArgumentRole(f, arg, cpq::runtime::roles::param, p.name());
  f.setArgAttr(arg, "cpq.init", b.getStringAttr(stringifyInitKind(p.init())));
  if (p.value()) f.setArgAttr(arg, "cpq.value", *p.value());
}

void setResultRole(FuncOp f, unsigned result, StringRef role, StringRef name) {
  Builder b(f.getContext());
  f.setResultAttr(result, "cpq.role", b.getStringAttr(role));
  f.setResultAttr(result, "cpq.name", b.getStringAttr(name));
}

} // namespace cpq::dialect
