//===- QuantizeNetwork.cpp - float network -> WxAy network ------------------===//
//
// This file implements --cpq-quantize-network: it inserts the CPQ quantizer
// of cpq-method.md on the weights of every conv2d and dense (signed grid,
// per output channel), on every ReLU output (unsigned grid, per tensor) and
// on the input, with their alpha, sigma (and gate logits) as new parameters,
// so one float network file gives its W2A2, W4A4, ... forms.
//
//===----------------------------------------------------------------------===//
#include "PassDetail.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"

#include <cmath>

using namespace mlir;
using namespace cpq::dialect;

namespace {

/// Step of the optimal uniform quantizer of a unit Gaussian with 2^b levels
/// (J. Max, "Quantizing for minimum distortion", 1960, table II).
double gaussianStep(int64_t bits) {
  static const double step[] = {0.0, 1.596, 0.9957, 0.5860, 0.3352, 0.1881, 0.1041, 0.0569, 0.0308};
  return step[bits];
}

class QuantizeNetworkPass : public QuantizeNetworkBase<QuantizeNetworkPass> {
public:
  void runOnOperation() override {
    ModuleOp module = getOperation();
    for (auto [name, bits] : {std::pair<const char *, int64_t>{"weight-bits", weightBits},
                              {"activation-bits", activationBits},
                              {"input-bits", inputBits}}) {
      if (bits < 0 || bits > 8) {
        module.emitError("cpq-quantize-network: ") << name << " must be in 0..8 (0: float32), got " << bits;
        return signalPassFailure();
      }
    }
    if (dropbits != "hierarchical" && dropbits != "independent") {
      module.emitError("cpq-quantize-network: dropbits must be hierarchical or independent, got ") << dropbits;
      return signalPassFailure();
    }
    if (!(activationRange > 0.0 && std::isfinite(activationRange))) {
      module.emitError("cpq-quantize-network: activation-range must be a positive number, got ") << activationRange;
      return signalPassFailure();
    }
    if (weightGrid != "signed" && weightGrid != "symmetric") {
      module.emitError("cpq-quantize-network: weight-grid must be signed or symmetric, got ") << weightGrid;
      return signalPassFailure();
    }
    if (weightGrid == "symmetric" && (dropbitsP > 0.0 || learnBits)) {
      module.emitError("cpq-quantize-network: DropBits and learned bit-widths need nested sub-grids; the symmetric "
                       "weight grid has none (use weight-grid=signed)");
      return signalPassFailure();
    }
    if (!(gateInit > 0.0 && gateInit <= 20.0)) {
      module.emitError("cpq-quantize-network: gate-init must be in (0, 20] (an open gate), got ") << gateInit;
      return signalPassFailure();
    }
    if (!(dropbitsP >= 0.0 && dropbitsP < 1.0)) {
      module.emitError("cpq-quantize-network: dropbits-p must be in [0, 1), got ") << dropbitsP;
      return signalPassFailure();
    }
    overrides.clear();
    for (const std::string &entry : tensorBits) {
      const size_t colon = entry.rfind(':');
      int64_t bits = 0;
      if (colon == std::string::npos || colon == 0 || StringRef(entry).substr(colon + 1).getAsInteger(10, bits) ||
          bits < 1 || bits > 8) {
        module.emitError("cpq-quantize-network: tensor-bits entries are name:bits with bits in 1..8, got '")
            << entry << "'";
        return signalPassFailure();
      }
      overrides[entry.substr(0, colon)] = bits;
    }
    for (FuncOp f : module.getOps<FuncOp>())
      if (!f.isExternal() && !f.getOps<ParamOp>().empty() && failed(quantize(f))) return signalPassFailure();
    for (const auto &entry : overrides)
      if (!used.count(entry.first())) {
        module.emitError("cpq-quantize-network: tensor-bits names '")
            << entry.first() << "', which is no quantized weight or activation of the network";
        return signalPassFailure();
      }
  }

  llvm::StringMap<int64_t> overrides; ///< tensor-bits, by tensor name
  llvm::StringSet<> used;             ///< the names of overrides that met their tensor

  /// The bits of tensor `name`: its tensor-bits entry, else `bits`.
  int64_t bitsOf(StringRef name, int64_t bits) {
    auto it = overrides.find(name);
    if (it == overrides.end()) return bits;
    used.insert(name);
    return it->second;
  }

private:
  ParamOp param(OpBuilder &b, Location loc, StringRef name, RankedTensorType type, float value, bool trainable) {
    SmallVector<NamedAttribute, 4> attrs = {
        b.getNamedAttr("name", b.getStringAttr(name)), b.getNamedAttr("init", b.getStringAttr("constant")),
        b.getNamedAttr("value", DenseElementsAttr::get(type, value))};
    if (!trainable) attrs.push_back(b.getNamedAttr("trainable", b.getBoolAttr(false)));
    return b.create<ParamOp>(loc, TypeRange{type}, ValueRange{}, attrs);
  }

  /// quantize(x) with new parameters `<prefix>.alpha`, `.sigma` (and
  /// `.gates`); alpha has `channels` entries (1: per tensor).
  Value quantizer(OpBuilder &b, Location loc, Value x, StringRef prefix, StringRef grid, int64_t bits, int64_t channels,
                  double alpha, bool trainable, bool withOptions) {
    auto f32 = b.getF32Type();
    auto scaleType = RankedTensorType::get({channels}, f32);
    Value a = param(b, loc, (prefix + ".alpha").str(), scaleType, float(alpha), trainable);
    Value s = param(b, loc, (prefix + ".sigma").str(), scaleType, float(alpha / 4), trainable);
    SmallVector<Value, 4> operands = {x, a, s};
    SmallVector<NamedAttribute, 6> attrs = {b.getNamedAttr("grid", b.getStringAttr(grid)),
                                            b.getNamedAttr("bits", b.getI64IntegerAttr(bits))};
    if (channels > 1) attrs.push_back(b.getNamedAttr("axis", b.getI64IntegerAttr(0)));
    if (withOptions && bits > 1) {
      if (dropbitsP > 0.0) {
        attrs.push_back(b.getNamedAttr("dropbits_p", b.getF64FloatAttr(dropbitsP)));
        if (dropbits != "hierarchical") attrs.push_back(b.getNamedAttr("dropbits", b.getStringAttr(dropbits)));
      }
      if (learnBits) {
        // log_a = gate-init (default 3) opens every gate at the start
        // (deterministic gate 1 from log_a = 2.4 on).
        operands.push_back(param(b, loc, (prefix + ".gates").str(), RankedTensorType::get({bits - 1}, f32),
                                 float(gateInit), true));
        if (gateLambda > 0.0) attrs.push_back(b.getNamedAttr("gate_lambda", b.getF64FloatAttr(gateLambda)));
      }
    }
    return b.create<QuantizeOp>(loc, TypeRange{x.getType()}, operands, attrs);
  }

  LogicalResult quantize(FuncOp f) {
    OpBuilder b(f.getContext());
    Block &body = f.front();
    if (inputBits > 0 && f.getNumArguments() == 1) {
      Value x = f.getArgument(0);
      b.setInsertionPointToStart(&body);
      // Pixels scaled to [0, 1] land exactly on the grid: not trained.
      Value q = quantizer(b, f.getLoc(), x, "input", "unsigned", inputBits, 1, 1.0 / double((1 << inputBits) - 1),
                          /*trainable=*/false, /*withOptions=*/false);
      x.replaceAllUsesExcept(q, q.getDefiningOp());
    }
    llvm::DenseMap<Value, Value> quantizedWeights;
    int64_t activation = 0;
    SmallVector<Operation *, 32> ops;
    for (Operation &op : body.without_terminator()) ops.push_back(&op);
    for (Operation *op : ops) {
      if (weightBits > 0 && isa<Conv2dOp, DenseOp>(op)) {
        OpOperand &weight = op->getOpOperand(1);
        auto p = weight.get().getDefiningOp<ParamOp>();
        if (!p) continue; // already quantized, or computed
        Value &q = quantizedWeights[weight.get()];
        if (!q) {
          auto type = p.getType().cast<RankedTensorType>();
          const int64_t fanIn = type.getNumElements() / type.getDimSize(0);
          b.setInsertionPoint(op);
          // Max's step is the spacing of both grids: of the levels of the
          // signed one, of the odd levels (alpha) of the symmetric one.
          const int64_t bits = bitsOf(p.name(), weightBits);
          q = quantizer(b, op->getLoc(), p, p.name(), weightGrid, bits, type.getDimSize(0),
                        gaussianStep(bits) * std::sqrt(2.0 / double(fanIn)), true, true);
        }
        weight.set(q);
      } else if (activationBits > 0 && isa<ReluOp>(op)) {
        Value y = op->getResult(0);
        b.setInsertionPointAfter(op);
        const std::string act = ("act" + Twine(++activation)).str();
        const int64_t bits = bitsOf(act, activationBits);
        Value q = quantizer(b, op->getLoc(), y, act, "unsigned", bits, 1, activationRange / double((1 << bits) - 1), true,
                            true);
        y.replaceAllUsesExcept(q, q.getDefiningOp());
      }
    }
    return success();
  }
};

} // namespace

std::unique_ptr<Pass> cpq::dialect::createQuantizeNetworkPass() { return std::make_unique<QuantizeNetworkPass>(); }
