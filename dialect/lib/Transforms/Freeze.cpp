//===- Freeze.cpp - trained network -> integer inference function -----------===//
//
// This file implements --cpq-freeze: from a network whose parameters carry
// trained values (--cpq-bind-params) it builds `inference(input) -> logits`,
// in which
//   - every activation quantizer becomes `cpq.encode` (integer levels),
//   - every conv2d / dense on integer levels with a quantized weight becomes
//     `cpq.pack` + `cpq.qconv2d` / `cpq.qdense` (int32 sums) and one
//     `cpq.requantize` that applies alpha_x * alpha_w, the bias, a following
//     batch norm (folded: s = gamma / sqrt(var + eps)), a following ReLU and
//     the next quantizer, so levels never return to float between layers;
//   - maxpool2d and flatten run on levels (the quantizer is monotone); a
//     max pooling right after a requantized layer whose scales are all
//     positive pools the int32 sums instead, before the requantization (the
//     same levels: requantization is then monotone; a quarter of the work
//     for 2x2 windows);
//   - anything else (residual additions, average pooling, float layers) runs
//     in float on `cpq.decode`d levels, with a batch norm after a float
//     convolution folded into its weights.
// The scales and biases it computes are new bound parameters
// (`<weight>.requantize.scale`, `.bias`).
//
//===----------------------------------------------------------------------===//
#include "PassDetail.h"

#include "cpq/kernels/packed_reference.h"
#include "cpq/runtime/roles.h"

#include "mlir/IR/BlockAndValueMapping.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"

#include <cmath>
#include <vector>

using namespace mlir;
using namespace cpq::dialect;

namespace {

/// Integer levels of a network value: the codes and the quantizer they
/// belong to.
struct Levels {
  Value codes;
  QuantizeOp quantizer; // the network's activation quantizer
};

/// The trained values of a bound parameter, broadcast to `n` entries when it
/// holds one (per-tensor scales).
std::vector<float> valuesOf(Value v, int64_t n = -1) {
  auto p = v.getDefiningOp<ParamOp>();
  auto dense = p.value()->cast<DenseElementsAttr>();
  std::vector<float> out(dense.getValues<float>().begin(), dense.getValues<float>().end());
  if (n > 0 && out.size() == 1) out.assign(size_t(n), out[0]);
  return out;
}

bool isWeightQuantizer(QuantizeOp q) { return q.input().getDefiningOp<ParamOp>() != nullptr; }

class Freezer {
public:
  Freezer(FuncOp network, FuncOp inference) : network(network), b(inference.getContext()) {
    Block *entry = inference.addEntryBlock();
    b.setInsertionPointToStart(entry);
    floats[network.getArgument(0)] = entry->getArgument(0);
  }

  LogicalResult run() {
    for (Operation &op : network.front().without_terminator()) {
      if (isa<ParamOp>(op) || consumed.contains(&op)) continue; // cloned where used, or fused
      if (failed(freeze(&op))) return failure();
    }
    Value result = asFloat(network.front().getTerminator()->getOperand(0));
    if (!result) return failure();
    b.create<ReturnOp>(network.getLoc(), result);
    return success();
  }

private:
  /// The inference value of a network value as float32: a cloned parameter,
  /// decoded levels, or a value translated earlier.
  Value asFloat(Value v) {
    if (Value f = floats.lookup(v)) return f;
    auto levels = codes.find(v);
    if (levels != codes.end()) {
      QuantizeOp q = levels->second.quantizer;
      Value f = b.create<DecodeOp>(q.getLoc(), RankedTensorType::get(shapeOf(v), b.getF32Type()),
                                   ValueRange{levels->second.codes, asFloat(q.alpha())}, gridAttrs(q));
      return floats[v] = f;
    }
    Operation *def = v.getDefiningOp();
    if (isa_and_nonnull<ParamOp, QuantizeOp>(def)) {
      // A parameter, or a quantized weight needed in float (fake quantized).
      if (failed(cloneInFloat(def))) return nullptr;
      return floats.lookup(v);
    }
    def->emitOpError("has no inference value (internal error of --cpq-freeze)");
    return nullptr;
  }

  static ArrayRef<int64_t> shapeOf(Value v) { return v.getType().cast<RankedTensorType>().getShape(); }

  SmallVector<NamedAttribute, 2> gridAttrs(QuantizeOp q) {
    return {b.getNamedAttr("grid", q.gridAttr()), b.getNamedAttr("bits", q.bitsAttr())};
  }

  /// A new bound parameter holding values the freeze computed.
  Value constantParam(Location loc, std::string name, const std::vector<float> &values) {
    auto type = RankedTensorType::get({int64_t(values.size())}, b.getF32Type());
    return b.create<ParamOp>(loc, TypeRange{type}, ValueRange{},
                             ArrayRef<NamedAttribute>{b.getNamedAttr("name", b.getStringAttr(name)),
                                                      b.getNamedAttr("init", b.getStringAttr("constant")),
                                                      b.getNamedAttr("value", DenseElementsAttr::get(
                                                                                  type, llvm::makeArrayRef(values)))});
  }

  LogicalResult cloneInFloat(Operation *op) {
    BlockAndValueMapping map;
    for (Value operand : op->getOperands()) {
      Value f = asFloat(operand);
      if (!f) return failure();
      map.map(operand, f);
    }
    Operation *clone = b.clone(*op, map);
    for (auto [from, to] : llvm::zip(op->getResults(), clone->getResults())) floats[from] = to;
    return success();
  }

  LogicalResult freeze(Operation *op) {
    if (auto q = dyn_cast<QuantizeOp>(op)) {
      if (isWeightQuantizer(q)) return success(); // packed by its layer, or fake quantized on demand
      Value x = asFloat(q.input());
      if (!x) return failure();
      auto encode = b.create<EncodeOp>(q.getLoc(), ValueRange{x, asFloat(q.alpha())}, gridAttrs(q));
      codes[q.output()] = {encode.codes(), q};
      return success();
    }
    if (isa<MaxPool2dOp, FlattenOp>(op) && codes.count(op->getOperand(0))) {
      const Levels &in = codes[op->getOperand(0)];
      SmallVector<Type, 1> types;
      Operation *clone = b.clone(*op);
      clone->setOperand(0, in.codes);
      auto element = in.codes.getType().cast<RankedTensorType>().getElementType();
      clone->getResult(0).setType(RankedTensorType::get(shapeOf(op->getResult(0)), element));
      codes[op->getResult(0)] = {clone->getResult(0), in.quantizer};
      return success();
    }
    if (isa<Conv2dOp, DenseOp>(op)) {
      auto weight = op->getOperand(1).getDefiningOp<QuantizeOp>();
      if (weight && isWeightQuantizer(weight) && codes.count(op->getOperand(0))) return integerLayer(op, weight);
      if (auto w = op->getOperand(1).getDefiningOp<ParamOp>()) return floatLayerWithFoldedNorm(op, w);
    }
    return cloneInFloat(op);
  }

  /// The single user of v when it is an op of type OpT taking v as operand 0.
  template <typename OpT> static OpT soleUser(Value v) {
    if (!v.hasOneUse()) return nullptr;
    auto user = dyn_cast<OpT>(*v.getUsers().begin());
    return user && user->getOperand(0) == v ? user : nullptr;
  }

  /// Per-channel y = s * conv + t of a batch norm (s = gamma / sqrt(var + eps)).
  static void normAffine(BatchNormOp bn, int64_t channels, std::vector<float> &s, std::vector<float> &t) {
    const auto gamma = valuesOf(bn.gamma(), channels), beta = valuesOf(bn.beta(), channels),
               mean = valuesOf(bn.mean(), channels), var = valuesOf(bn.variance(), channels);
    const double eps = bn.epsilon().convertToDouble();
    s.resize(size_t(channels)), t.resize(size_t(channels));
    for (int64_t c = 0; c < channels; ++c) {
      s[c] = float(double(gamma[c]) / std::sqrt(double(var[c]) + eps));
      t[c] = float(double(beta[c]) - double(mean[c]) * double(s[c]));
    }
  }

  LogicalResult integerLayer(Operation *op, QuantizeOp weight) {
    Levels in = codes[op->getOperand(0)];
    const Location loc = op->getLoc();
    auto wParam = weight.input().getDefiningOp<ParamOp>();
    const int64_t channels = shapeOf(weight.input())[0];
    Value packed = b.create<PackOp>(loc, ValueRange{asFloat(weight.input()), asFloat(weight.alpha())},
                                    gridAttrs(weight));
    // The integer layer is exact only while its int32 sums stay within the
    // requantization's exact range (packed_reference.h): refuse rather than
    // give levels that may differ from the trained network's.
    {
      const int64_t k = weight.input().getType().cast<RankedTensorType>().getNumElements() / channels;
      const cpq::GridSpec gx{toKernel(in.quantizer.grid()), int(in.quantizer.bits())},
          gw{toKernel(weight.grid()), int(weight.bits())};
      if (!cpq::reference::accumulator_is_exact(k, gx, gw))
        return op->emitOpError("sums ") << k << " products of " << gx.name() << " activations and " << gw.name()
                                        << " weights, which can exceed the 2^29 up to which integer inference is exact; "
                                           "use fewer bits or a shorter reduction";
    }
    SmallVector<NamedAttribute, 8> attrs = gridAttrs(weight);
    Value acc;
    if (auto conv = dyn_cast<Conv2dOp>(op)) {
      auto filter = shapeOf(weight.input());
      attrs.push_back(b.getNamedAttr("kernel", b.getI64ArrayAttr({filter[2], filter[3]})));
      for (StringRef name : {"stride", "padding", "groups"})
        if (Attribute a = op->getAttr(name)) attrs.push_back(b.getNamedAttr(name, a));
      acc = b.create<QConv2dOp>(loc, ValueRange{in.codes, packed}, attrs);
    } else {
      acc = b.create<QDenseOp>(loc, ValueRange{in.codes, packed}, attrs);
    }

    // acc counts level products: the value is acc * alpha_x * alpha_w (each
    // halved on a symmetric grid), plus the bias.
    const auto alphaW = valuesOf(weight.alpha(), channels);
    const float alphaX = valuesOf(in.quantizer.alpha())[0];
    const float halves = (weight.grid() == GridKind::Symmetric ? 0.5f : 1.0f) *
                         (in.quantizer.grid() == GridKind::Symmetric ? 0.5f : 1.0f);
    std::vector<float> scale(static_cast<size_t>(channels)), bias(static_cast<size_t>(channels), 0.0f);
    for (int64_t c = 0; c < channels; ++c) scale[c] = alphaX * alphaW[c] * halves;
    if (op->getNumOperands() > 2) bias = valuesOf(op->getOperand(2), channels);

    Value last = op->getResult(0);
    if (auto bn = soleUser<BatchNormOp>(last)) {
      std::vector<float> s, t;
      normAffine(bn, channels, s, t);
      for (int64_t c = 0; c < channels; ++c) scale[c] *= s[c], bias[c] = bias[c] * s[c] + t[c];
      last = bn.output();
      consumed.insert(bn);
    }
    bool relu = false;
    if (auto r = soleUser<ReluOp>(last)) relu = true, last = r.output(), consumed.insert(r);
    QuantizeOp next = relu ? soleUser<QuantizeOp>(last) : QuantizeOp();
    if (next && next.gate_logits()) next = nullptr;
    if (next) consumed.insert(next);

    // Pool the sums first when the next op pools the levels and every scale
    // is positive (requantize is then non-decreasing in the sum, so it
    // commutes with max; padded positions never win either way).
    MaxPool2dOp pool = next ? soleUser<MaxPool2dOp>(next.output()) : MaxPool2dOp();
    if (pool && !llvm::all_of(scale, [](float s) { return s > 0.0f && std::isfinite(s); })) pool = nullptr;
    if (pool) {
      Operation *pooled = b.clone(*pool.getOperation());
      pooled->setOperand(0, acc);
      pooled->getResult(0).setType(RankedTensorType::get(shapeOf(pool.output()), b.getI32Type()));
      acc = pooled->getResult(0);
      consumed.insert(pool);
    }

    const std::string name = wParam.name().str();
    SmallVector<Value, 4> operands = {acc, constantParam(loc, name + ".requantize.scale", scale),
                                      constantParam(loc, name + ".requantize.bias", bias)};
    SmallVector<NamedAttribute, 3> rq;
    if (relu) rq.push_back(b.getNamedAttr("relu", b.getUnitAttr()));
    if (next) {
      operands.push_back(asFloat(next.alpha()));
      rq.append(gridAttrs(next));
    }
    auto requantize = b.create<RequantizeOp>(loc, operands, rq);
    if (pool)
      codes[pool.output()] = {requantize.output(), next};
    else if (next)
      codes[next.output()] = {requantize.output(), next};
    else
      floats[last] = requantize.output();
    return success();
  }

  /// A float conv2d / dense on a plain weight: a following batch norm is
  /// folded into new weights and bias.
  LogicalResult floatLayerWithFoldedNorm(Operation *op, ParamOp w) {
    auto bn = soleUser<BatchNormOp>(op->getResult(0));
    if (!bn) return cloneInFloat(op);
    const int64_t channels = shapeOf(w)[0];
    std::vector<float> s, t, weights = valuesOf(w);
    normAffine(bn, channels, s, t);
    const size_t row = weights.size() / size_t(channels);
    for (int64_t c = 0; c < channels; ++c)
      for (size_t k = 0; k < row; ++k) weights[c * row + k] *= s[c];
    std::vector<float> bias = op->getNumOperands() > 2 ? valuesOf(op->getOperand(2), channels)
                                                       : std::vector<float>(size_t(channels), 0.0f);
    for (int64_t c = 0; c < channels; ++c) bias[c] = bias[c] * s[c] + t[c];
    auto type = w.getType().cast<RankedTensorType>();
    Value folded = b.create<ParamOp>(
        w.getLoc(), TypeRange{type}, ValueRange{},
        ArrayRef<NamedAttribute>{b.getNamedAttr("name", b.getStringAttr(w.name() + ".folded")),
                                 b.getNamedAttr("init", b.getStringAttr("constant")),
                                 b.getNamedAttr("value", DenseElementsAttr::get(type, llvm::makeArrayRef(weights)))});
    Value foldedBias = constantParam(w.getLoc(), (w.name() + ".folded_bias").str(), bias);
    Value x = asFloat(op->getOperand(0));
    if (!x) return failure();
    OperationState state(op->getLoc(), op->getName());
    state.addOperands({x, folded, foldedBias});
    state.addAttributes(op->getAttrs());
    state.addTypes(op->getResultTypes());
    floats[bn.output()] = b.createOperation(state)->getResult(0);
    consumed.insert(bn);
    return success();
  }

  FuncOp network;
  OpBuilder b;
  llvm::DenseMap<Value, Value> floats;
  llvm::DenseMap<Value, Levels> codes;
  llvm::DenseSet<Operation *> consumed; // fused into an earlier op's translation
};

class FreezePass : public FreezeBase<FreezePass> {
public:
  void runOnOperation() override {
    ModuleOp module = getOperation();
    FuncOp net;
    if (!network.empty()) {
      net = module.lookupSymbol<FuncOp>(network);
      if (!net) {
        module.emitError("no function named '") << network << "' to freeze";
        return signalPassFailure();
      }
    } else {
      SmallVector<FuncOp, 2> candidates;
      for (FuncOp f : module.getOps<FuncOp>())
        if (!f.isExternal() && !f.getOps<ParamOp>().empty() && f.getName() != "train_step" &&
            f.getName() != "eval_step" && f.getName() != "inference")
          candidates.push_back(f);
      if (candidates.size() != 1) {
        module.emitError("found ") << candidates.size()
                                   << " network functions with cpq.param ops; name one with network=<function>";
        return signalPassFailure();
      }
      net = candidates.front();
    }
    if (module.lookupSymbol("inference")) {
      module.emitError("the module already has a function named 'inference'");
      return signalPassFailure();
    }
    auto type = net.getType();
    if (type.getNumInputs() != 1 || type.getNumResults() != 1 || !llvm::hasSingleElement(net.getBody())) {
      net.emitError("the network must take the input batch and return the logits");
      return signalPassFailure();
    }
    bool ok = true;
    net.walk([&](ParamOp p) {
      if (ok && !p.value()) {
        p.emitOpError("parameter \"") << p.name()
                                      << "\" has no trained value; bind them with --cpq-bind-params=file=<parameters.safetensors>";
        ok = false;
      }
    });
    net.walk([&](QuantizeOp q) {
      if (ok && q.gate_logits()) {
        q.emitOpError("has learned gates; fix its bit-width with --cpq-assign-bitwidths before freezing");
        ok = false;
      }
    });
    if (!ok) return signalPassFailure();

    OpBuilder b(module.getContext());
    auto inference = FuncOp::create(net.getLoc(), "inference", type);
    module.push_back(inference);
    namespace roles = cpq::runtime::roles;
    inference.setArgAttr(0, "cpq.role", b.getStringAttr(roles::input));
    inference.setArgAttr(0, "cpq.name", b.getStringAttr(roles::input));
    inference.setResultAttr(0, "cpq.role", b.getStringAttr(roles::logits));
    inference.setResultAttr(0, "cpq.name", b.getStringAttr(roles::logits));
    if (failed(Freezer(net, inference).run())) return signalPassFailure();
  }
};

} // namespace

std::unique_ptr<Pass> cpq::dialect::createFreezePass() { return std::make_unique<FreezePass>(); }
