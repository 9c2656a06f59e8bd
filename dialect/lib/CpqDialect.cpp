//===- CpqDialect.cpp - the cpq dialect -------------------------------------===//
#include "cpq/dialect/CpqDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace cpq::dialect;

#include "CpqDialect.cpp.inc"

void CpqDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "CpqOps.cpp.inc"
      >();
}

#define GET_OP_CLASSES
#include "CpqOps.cpp.inc"
