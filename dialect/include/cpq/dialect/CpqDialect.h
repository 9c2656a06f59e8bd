//===- CpqDialect.h - the cpq dialect ---------------------------*- C++ -*-===//
#pragma once

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "CpqDialect.h.inc"

#define GET_OP_CLASSES
#include "CpqOps.h.inc"
