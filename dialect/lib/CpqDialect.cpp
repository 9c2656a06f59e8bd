//===- CpqDialect.cpp - the cpq dialect -------------------------------------===//
//
// This file implements the dialect's registration and the generated parts of
// its op interface.
//
//===----------------------------------------------------------------------===//
#include "cpq/dialect/CpqDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace cpq::dialect;

#include "CpqDialect.cpp.inc"
#include "CpqEnums.cpp.inc"
#include "CpqInterfaces.cpp.inc"

void CpqDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "CpqOps.cpp.inc"
      >();
}
