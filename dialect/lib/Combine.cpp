//===- Combine.cpp - canonicalization patterns of cpq ops -------------------===//
//
// This file registers the DRR patterns of Combine.td as the canonicalization
// patterns of the ops they simplify.
//
//===----------------------------------------------------------------------===//
#include "cpq/dialect/CpqDialect.h"

#include "mlir/IR/PatternMatch.h"

using namespace mlir;
using namespace cpq::dialect;

namespace {
#include "Combine.inc"
} // namespace

void ReluOp::getCanonicalizationPatterns(RewritePatternSet &patterns, MLIRContext *context) {
  patterns.add<ReluOfRelu>(context);
}

void FlattenOp::getCanonicalizationPatterns(RewritePatternSet &patterns, MLIRContext *context) {
  patterns.add<FlattenOfFlatten>(context);
}

void QuantizeOp::getCanonicalizationPatterns(RewritePatternSet &patterns, MLIRContext *context) {
  patterns.add<QuantizeOfQuantize>(context);
}
