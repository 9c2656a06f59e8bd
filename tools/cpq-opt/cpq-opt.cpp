//===- cpq-opt.cpp - the cpq pass driver -------------------------------------===//
//
// Parses .mlir in the cpq dialect (with builtin and std), runs the cpq passes
// and pipelines, prints the result.
//
//===----------------------------------------------------------------------===//
#include "cpq/dialect/CpqDialect.h"
#include "cpq/dialect/Passes.h"

#include "mlir/Dialect/StandardOps/IR/Ops.h"
#include "mlir/IR/Dialect.h"
#include "mlir/Support/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::registerCanonicalizerPass();
  mlir::registerCSEPass();
  mlir::registerSymbolDCEPass();
  cpq::dialect::registerPassesAndPipelines();
  mlir::DialectRegistry registry;
  registry.insert<cpq::dialect::CpqDialect, mlir::StandardOpsDialect>();
  return mlir::asMainReturnCode(mlir::MlirOptMain(argc, argv, "cpq optimizer driver\n", registry));
}
