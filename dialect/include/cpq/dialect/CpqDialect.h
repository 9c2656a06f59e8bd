//===- CpqDialect.h - the cpq dialect ---------------------------*- C++ -*-===//
//
// This file declares the cpq dialect, its enum attributes, its op interface
// and its ops (generated from CpqDialect.td, CpqEnums.td, CpqInterfaces.td
// and CpqOps.td), each op's verifier, and the mapping of the dialect's grid
// kinds and DropBits modes to the kernel core's.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "cpq/dialect/TrainingContext.h"
#include "cpq/kernels/dropbits.h"
#include "cpq/kernels/grid.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "CpqDialect.h.inc"
#include "CpqEnums.h.inc"
#include "CpqInterfaces.h.inc"

#define GET_OP_CLASSES
#include "CpqOps.h.inc"

namespace cpq::dialect {

/// Each op's checks, over its generated adaptor: run by its verify() and,
/// for ops with inferred result types, first by inferReturnTypes (MLIR 14
/// verifies InferTypeOpInterface before an op's own verifier). Defined in
/// lib/CpqOps.cpp (parameters, layers), CpqTrainingOps.cpp and
/// CpqInferenceOps.cpp.
#define CPQ_FOR_EACH_OP(X)                                                                                             \
  X(ParamOp) X(Conv2dOp) X(DenseOp) X(ReluOp) X(MaxPool2dOp) X(AvgPool2dOp) X(BatchNormOp) X(FlattenOp) X(AddOp)      \
  X(SoftmaxCrossEntropyOp) X(QuantizeOp) X(QuantizeTrainOp) X(QuantizeGradOp) X(ReluGradOp) X(Conv2dGradInputOp)     \
  X(Conv2dGradFilterOp) X(BiasGradOp) X(DenseGradInputOp) X(DenseGradWeightOp) X(MaxPool2dGradOp)                    \
  X(AvgPool2dGradOp) X(BatchNormTrainOp) X(BatchNormGradOp) X(FlattenGradOp) X(SoftmaxCrossEntropyGradOp)             \
  X(SoftmaxCrossEntropyHessianOp) X(SquareOp)                                                                          \
  X(SgdUpdateOp) X(AdamUpdateOp) X(EncodeOp) X(DecodeOp) X(PackOp) X(QConv2dOp) X(QDenseOp) X(RequantizeOp)
#define CPQ_DECLARE_VERIFIER(Op) mlir::LogicalResult verifyOp(Op op);
CPQ_FOR_EACH_OP(CPQ_DECLARE_VERIFIER)
#undef CPQ_DECLARE_VERIFIER

/// The kernel core's grid kind of a dialect grid kind.
constexpr cpq::GridKind toKernel(GridKind kind) {
  switch (kind) {
  case GridKind::Signed: return cpq::GridKind::Signed;
  case GridKind::Unsigned: return cpq::GridKind::Unsigned;
  case GridKind::Symmetric: return cpq::GridKind::Symmetric;
  }
  return cpq::GridKind::Signed;
}

/// The kernel core's DropBits mode of a dialect mode.
constexpr cpq::DropBitsMode toKernel(DropBitsMode mode) {
  return mode == DropBitsMode::Independent ? cpq::DropBitsMode::Independent : cpq::DropBitsMode::Hierarchical;
}

} // namespace cpq::dialect
