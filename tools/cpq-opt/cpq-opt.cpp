//===- cpq-opt.cpp - the cpq pass driver -------------------------------------===//
//
// Parses .mlir in the cpq dialect (with builtin and std) and runs passes.
//
//===----------------------------------------------------------------------===//
#include "cpq/dialect/CpqDialect.h"

#include "mlir/Dialect/StandardOps/IR/Ops.h"
#include "mlir/IR/Dialect.h"
#include "mlir/Support/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  registry.insert<cpq::dialect::CpqDialect, mlir::StandardOpsDialect>();
  return mlir::asMainReturnCode(mlir::MlirOptMain(argc, argv, "cpq optimizer driver\n", registry));
}
