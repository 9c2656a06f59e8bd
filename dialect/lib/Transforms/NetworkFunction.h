//===- NetworkFunction.h - the network function the expansions start from -*- C++ -*-===//
//
// What --cpq-expand-training and --cpq-expand-hessian share: finding and
// checking the network function of a module (one input batch, logits out,
// cpq.param ops for its parameters) and naming the arguments and results of
// the functions they build (cpq.role, cpq.name, a parameter's cpq.init).
// Internal to the passes.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "cpq/dialect/CpqDialect.h"

#include "mlir/Dialect/StandardOps/IR/Ops.h"
#include "mlir/IR/BuiltinOps.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

namespace cpq::dialect {

struct NetworkFunction {
  mlir::FuncOp func;
  llvm::SmallVector<ParamOp, 16> params; ///< in the order of the body
  mlir::Value logits;                    ///< the returned value
};

/// The function `name` of `module` (or, when `name` is empty, its only
/// function with cpq.param ops), checked to be a network: one float32 input
/// batch, one N x K float32 result, a body of one block. Emits an error and
/// fails otherwise.
mlir::FailureOr<NetworkFunction> findNetworkFunction(mlir::ModuleOp module, llvm::StringRef name);

/// Sets cpq.role and cpq.name of argument `arg`.
void setArgumentRole(mlir::FuncOp f, unsigned arg, llvm::StringRef role, llvm::StringRef name);
/// A parameter argument: its role and name, and how a run initialises it
/// (the cpq.param's init and value), which the kernel's manifest records.
void setParamRole(mlir::FuncOp f, unsigned arg, ParamOp p);
/// Sets cpq.role and cpq.name of result `result`.
void setResultRole(mlir::FuncOp f, unsigned result, llvm::StringRef role, llvm::StringRef name);

} // namespace cpq::dialect
