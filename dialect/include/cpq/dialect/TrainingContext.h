//===- TrainingContext.h - state of the training expansion ------*- C++ -*-===//
//
// This file declares what the ops' DifferentiableOp implementations share
// with --cpq-expand-training while it builds a train_step: the map from the
// network's values to the training step's, the step's scalars, values an op
// keeps from its forward for its gradient, and updated layer state.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "mlir/IR/BlockAndValueMapping.h"
#include "mlir/IR/Operation.h"
#include "mlir/IR/Value.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"

#include <cstdint>
#include <utility>

namespace cpq::dialect {

struct TrainingContext {
  /// Network value -> its value in the training step.
  mlir::BlockAndValueMapping values;
  /// The training step's `seed` and `step` (i64), which key DropBits masks.
  mlir::Value seed, step;
  /// Network op -> the op its training forward emitted, when that is not a
  /// clone (quantize_train keeps the tensor id, batch_norm_train the batch
  /// statistics its gradient needs).
  llvm::DenseMap<mlir::Operation *, mlir::Operation *> trainingOps;
  /// (network value of a non-trainable parameter, its updated value).
  llvm::SmallVector<std::pair<mlir::Value, mlir::Value>, 8> stateUpdates;
  /// The next quantizer's id in the counter-based random stream.
  int64_t nextTensorId = 0;

  mlir::Value lookup(mlir::Value networkValue) const { return values.lookupOrNull(networkValue); }
};

} // namespace cpq::dialect
