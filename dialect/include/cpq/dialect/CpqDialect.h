//===- CpqDialect.h - the cpq dialect ---------------------------*- C++ -*-===//
//
// This file declares the cpq dialect, its op interface and its ops (generated
// from CpqDialect.td, CpqInterfaces.td and CpqOps.td), and the helpers the
// ops' verifiers share.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "cpq/dialect/TrainingContext.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "CpqDialect.h.inc"
#include "CpqInterfaces.h.inc"

namespace cpq::dialect {
class ParamOp;
mlir::LogicalResult verifyParam(ParamOp op);
} // namespace cpq::dialect

#define GET_OP_CLASSES
#include "CpqOps.h.inc"
