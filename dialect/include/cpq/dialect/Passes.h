//===- Passes.h - passes of the cpq dialect ---------------------*- C++ -*-===//
//
// This file declares the cpq passes and the two named pipelines cpq-opt
// registers.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "cpq/dialect/CpqDialect.h"

#include "mlir/Dialect/StandardOps/IR/Ops.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

#include <memory>

namespace cpq::dialect {

std::unique_ptr<mlir::Pass> createExpandTrainingPass();
std::unique_ptr<mlir::Pass> createExpandHessianPass();
std::unique_ptr<mlir::Pass> createQuantizeNetworkPass();
std::unique_ptr<mlir::Pass> createBindParamsPass();
std::unique_ptr<mlir::Pass> createAssignBitwidthsPass();
std::unique_ptr<mlir::Pass> createFreezePass();

/// Registers every cpq pass and the pipelines cpq-train-pipeline (network ->
/// train_step, eval_step) and cpq-inference-pipeline (network + parameters ->
/// inference function).
void registerPassesAndPipelines();

#define GEN_PASS_REGISTRATION
#include "Passes.h.inc"

} // namespace cpq::dialect
