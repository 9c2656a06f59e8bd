//===- PassDetail.h - generated bases of the cpq passes ---------*- C++ -*-===//
//
// The pass base classes generated from Passes.td, for the passes' files
// only (the MLIR convention).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "cpq/dialect/Passes.h"

namespace cpq::dialect {
#define GEN_PASS_CLASSES
#include "Passes.h.inc"
} // namespace cpq::dialect
