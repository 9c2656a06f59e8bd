//===- AssignBitwidths.cpp - learned gates -> fixed bit-widths --------------===//
//
// This file implements --cpq-assign-bitwidths: each quantizer with learned
// gates (cpq-method.md section 5) becomes the fixed-bit-width quantizer its
// deterministic gates chose, on the same grid points.
//
//===----------------------------------------------------------------------===//
#include "PassDetail.h"
#include "cpq/kernels/gates.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

#include "llvm/ADT/SetVector.h"

#include <cstdio>

using namespace mlir;
using namespace cpq::dialect;

namespace {

/// The bound values of a parameter, or failure with an error on `user`.
FailureOr<DenseElementsAttr> boundValue(Operation *user, Value v, StringRef role) {
  auto p = v.getDefiningOp<ParamOp>();
  auto value = p && p.value() ? p.value()->dyn_cast<DenseElementsAttr>() : DenseElementsAttr();
  if (!value) {
    user->emitOpError(role) << " must be a cpq.param with trained values; bind them with "
                               "--cpq-bind-params=file=<parameters.safetensors>";
    return failure();
  }
  return value;
}

class AssignBitwidthsPass : public AssignBitwidthsBase<AssignBitwidthsPass> {
public:
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<QuantizeOp, 16> gated;
    module.walk([&](QuantizeOp q) {
      if (q.gate_logits()) gated.push_back(q);
    });
    for (QuantizeOp q : gated)
      if (failed(assign(q))) return signalPassFailure();
  }

private:
  LogicalResult assign(QuantizeOp q) {
    auto gates = boundValue(q, q.gate_logits(), "gate_logits");
    auto alpha = boundValue(q, q.alpha(), "alpha");
    auto sigma = boundValue(q, q.sigma(), "sigma");
    if (failed(gates) || failed(alpha) || failed(sigma)) return failure();
    const int bits = int(q.bits());
    std::vector<double> logA;
    for (float v : gates->getValues<float>()) logA.push_back(v);
    const int learned = cpq::learned_bits(bits, logA.data());
    if (report) {
      std::string gatesText;
      for (double l : logA) {
        char text[32];
        std::snprintf(text, sizeof text, " %.3f", cpq::hard_concrete_deterministic(l));
        gatesText += text;
      }
      q.emitRemark("learned bit-width ") << learned << " of " << bits << " (deterministic gates" << gatesText << ")";
    }

    // The l-bit sub-grid of a b-bit grid is the l-bit grid with step
    // alpha * 2^(b - l) (section 4).
    OpBuilder b(q);
    const float scale = float(1 << (bits - learned));
    auto scaled = [&](Value v, DenseElementsAttr values) -> Value {
      auto p = v.getDefiningOp<ParamOp>();
      if (scale == 1.0f) return v;
      std::vector<float> out;
      for (float x : values.getValues<float>()) out.push_back(x * scale);
      auto type = values.getType().cast<RankedTensorType>();
      SmallVector<NamedAttribute, 4> attrs = {
          b.getNamedAttr("name", b.getStringAttr(p.name() + "@" + std::to_string(learned) + "bit")),
          b.getNamedAttr("init", b.getStringAttr("constant")),
          b.getNamedAttr("value", DenseElementsAttr::get(type, llvm::makeArrayRef(out)))};
      if (!p.trainable()) attrs.push_back(b.getNamedAttr("trainable", b.getBoolAttr(false)));
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointAfter(p);
      return b.create<ParamOp>(p.getLoc(), TypeRange{type}, ValueRange{}, attrs);
    };
    Value newAlpha = scaled(q.alpha(), *alpha);
    Value newSigma = q.sigma() == q.alpha() ? newAlpha : scaled(q.sigma(), *sigma);
    SmallVector<NamedAttribute, 8> attrs;
    for (NamedAttribute a : q->getAttrs()) {
      StringRef name = a.getName().getValue();
      if (name == "bits" || name == "gate_lambda") continue;
      if (learned == 1 && (name == "dropbits_p" || name == "dropbits")) continue; // nothing left to drop
      attrs.push_back(a);
    }
    attrs.push_back(b.getNamedAttr("bits", b.getI64IntegerAttr(learned)));
    auto fixed = b.create<QuantizeOp>(q.getLoc(), TypeRange{q.getType()}, ValueRange{q.input(), newAlpha, newSigma},
                                      attrs);
    q.replaceAllUsesWith(fixed.output());
    llvm::SmallSetVector<Operation *, 4> old;
    for (Value v : {q.alpha(), q.sigma(), q.gate_logits()}) old.insert(v.getDefiningOp());
    q.erase();
    // Gate logits (and scales replaced by their scaled copies) are now unused.
    for (Operation *p : old)
      if (p->use_empty()) p->erase();
    return success();
  }
};

} // namespace

std::unique_ptr<Pass> cpq::dialect::createAssignBitwidthsPass() { return std::make_unique<AssignBitwidthsPass>(); }
