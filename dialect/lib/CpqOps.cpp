//===- CpqOps.cpp - shape inference and verifiers of the cpq ops ------------===//
//
// This file implements InferTypeOpInterface for every cpq op: the result
// types follow from the operands and attributes, and every inconsistency
// (ranks, channel counts, window sizes, bits outside 1..8, a grid kind that
// does not fit the data, an alpha that does not match the per-channel axis)
// is reported once, here, naming the op, the operand and the sizes involved.
// MLIR's InferTypeOpInterface trait then checks the written result types
// against the inferred ones.
//
//===----------------------------------------------------------------------===//
#include "cpq/dialect/CpqDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/OpImplementation.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace cpq::dialect;

namespace {

constexpr int64_t kDynamic = ShapedType::kDynamicSize;

std::string shapeString(ArrayRef<int64_t> shape) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << "[";
  llvm::interleaveComma(shape, os, [&](int64_t d) {
    if (d == kDynamic)
      os << "?";
    else
      os << d;
  });
  os << "]";
  return os.str();
}

std::string number(double v) {
  std::string s;
  llvm::raw_string_ostream(s) << llvm::format("%g", v);
  return s;
}

bool compatible(int64_t a, int64_t b) { return a == kDynamic || b == kDynamic || a == b; }

/// Collects the checks of one op: reads operands and attributes, reports the
/// first problem with the op's name in front.
class Checker {
public:
  Checker(Optional<Location> loc, StringRef opName, ValueRange operands, DictionaryAttr attrs)
      : loc(loc), opName(opName), operands(operands), attrs(attrs) {}

  /// Reports the op's first problem only: later checks often follow from it.
  LogicalResult fail(const Twine &message) const {
    if (reported) return failure();
    reported = true;
    return emitOptionalError(loc, "'cpq.", opName, "' op ", message.str());
  }

  /// Operand i as a ranked tensor of the given rank (-1: any).
  FailureOr<RankedTensorType> tensor(unsigned i, StringRef what, int64_t rank = -1) const {
    if (i >= operands.size()) {
      (void)fail(Twine("is missing its ") + what + " operand");
      return failure();
    }
    auto t = operands[i].getType().dyn_cast<RankedTensorType>();
    if (!t) {
      (void)fail(Twine(what) + " must be a ranked tensor");
      return failure();
    }
    if (rank >= 0 && t.getRank() != rank) {
      (void)fail(Twine(what) + " must have rank " + Twine(rank) + ", got " + shapeString(t.getShape()));
      return failure();
    }
    return t;
  }
  /// Operand i as a ranked float32 tensor of the given rank (-1: any).
  FailureOr<RankedTensorType> floats(unsigned i, StringRef what, int64_t rank = -1) const {
    auto t = tensor(i, what, rank);
    if (failed(t)) return failure();
    if (!t->getElementType().isF32()) {
      std::string type;
      llvm::raw_string_ostream(type) << t->getElementType();
      (void)fail(Twine(what) + " must hold float32 values, got " + type);
      return failure();
    }
    return t;
  }
  bool has(unsigned i) const { return i < operands.size(); }

  Attribute attr(StringRef name) const { return attrs ? attrs.get(name) : Attribute(); }
  int64_t integer(StringRef name, int64_t fallback) const {
    if (auto a = attr(name).dyn_cast_or_null<IntegerAttr>()) return a.getInt();
    return fallback;
  }
  double real(StringRef name, double fallback) const {
    if (auto a = attr(name).dyn_cast_or_null<FloatAttr>()) return a.getValueAsDouble();
    return fallback;
  }
  StringRef string(StringRef name, StringRef fallback) const {
    if (auto a = attr(name).dyn_cast_or_null<StringAttr>()) return a.getValue();
    return fallback;
  }
  /// A pair of integers (stride, padding, kernel), each at least `minimum`.
  FailureOr<std::array<int64_t, 2>> pair(StringRef name, std::array<int64_t, 2> fallback, int64_t minimum) const {
    Attribute a = attr(name);
    if (!a) return fallback;
    auto array = a.dyn_cast<ArrayAttr>();
    std::array<int64_t, 2> v{};
    if (!array || array.size() != 2 || !llvm::all_of(array, [](Attribute e) { return e.isa<IntegerAttr>(); })) {
      (void)fail(Twine(name) + " must be a list of two integers [height, width]");
      return failure();
    }
    for (int k = 0; k < 2; ++k) v[k] = array[k].cast<IntegerAttr>().getInt();
    if (v[0] < minimum || v[1] < minimum) {
      (void)fail(Twine(name) + " must be at least " + Twine(minimum) + ", got [" + Twine(v[0]) + ", " + Twine(v[1]) + "]");
      return failure();
    }
    return v;
  }

  Optional<Location> loc;
  StringRef opName;
  mutable bool reported = false;
  ValueRange operands;
  DictionaryAttr attrs;
};

/// Output size of a window along one axis; fails when the window does not
/// fit in the padded input.
FailureOr<int64_t> windowOutput(const Checker &c, StringRef axis, int64_t in, int64_t k, int64_t s, int64_t p) {
  if (in == kDynamic) return kDynamic;
  if (in + 2 * p < k) {
    (void)c.fail(Twine("window of ") + Twine(k) + " does not fit the " + axis + " of the input, " + Twine(in) +
                 " plus padding 2 x " + Twine(number(p)));
    return failure();
  }
  return (in + 2 * p - k) / s + 1;
}

/// The NCHW output shape of a convolution of x with filter w.
FailureOr<SmallVector<int64_t, 4>> convShape(const Checker &c, RankedTensorType x, ArrayRef<int64_t> filterShape,
                                             StringRef filterName) {
  auto stride = c.pair("stride", {1, 1}, 1);
  auto padding = c.pair("padding", {0, 0}, 0);
  if (failed(stride) || failed(padding)) return failure();
  const int64_t groups = c.integer("groups", 1);
  if (groups < 1) {
    (void)c.fail("groups must be at least 1, got " + Twine(groups));
    return failure();
  }
  const int64_t channels = x.getDimSize(1), out = filterShape[0], perGroup = filterShape[1];
  if (out % groups != 0) {
    (void)c.fail(Twine(filterName) + " has " + Twine(out) + " output channels, not divisible by groups = " + Twine(groups));
    return failure();
  }
  if (channels != kDynamic && channels != perGroup * groups) {
    (void)c.fail("input has " + Twine(channels) + " channels but the " + filterName + " expects " + Twine(perGroup) +
                 " per group x " + Twine(groups) + " groups = " + Twine(perGroup * groups));
    return failure();
  }
  auto h = windowOutput(c, "height", x.getDimSize(2), filterShape[2], (*stride)[0], (*padding)[0]);
  if (failed(h)) return failure();
  auto w = windowOutput(c, "width", x.getDimSize(3), filterShape[3], (*stride)[1], (*padding)[1]);
  if (failed(w)) return failure();
  return SmallVector<int64_t, 4>{x.getDimSize(0), out, *h, *w};
}

/// The NCHW output shape of a pooling window over x.
FailureOr<SmallVector<int64_t, 4>> poolShape(const Checker &c, RankedTensorType x) {
  if (!c.attr("kernel")) {
    (void)c.fail("needs a kernel = [height, width] attribute");
    return failure();
  }
  auto kernel = c.pair("kernel", {1, 1}, 1);
  if (failed(kernel)) return failure();
  auto stride = c.pair("stride", *kernel, 1);
  auto padding = c.pair("padding", {0, 0}, 0);
  if (failed(stride) || failed(padding)) return failure();
  if ((*padding)[0] >= (*kernel)[0] || (*padding)[1] >= (*kernel)[1]) {
    (void)c.fail("padding must be smaller than the kernel, so that every window holds an input element");
    return failure();
  }
  auto h = windowOutput(c, "height", x.getDimSize(2), (*kernel)[0], (*stride)[0], (*padding)[0]);
  if (failed(h)) return failure();
  auto w = windowOutput(c, "width", x.getDimSize(3), (*kernel)[1], (*stride)[1], (*padding)[1]);
  if (failed(w)) return failure();
  return SmallVector<int64_t, 4>{x.getDimSize(0), x.getDimSize(1), *h, *w};
}

LogicalResult expectShape(const Checker &c, StringRef what, RankedTensorType t, ArrayRef<int64_t> want) {
  bool ok = t.getRank() == static_cast<int64_t>(want.size());
  for (size_t i = 0; ok && i < want.size(); ++i) ok = compatible(t.getDimSize(i), want[i]);
  if (ok) return success();
  return c.fail(Twine(what) + " has shape " + shapeString(t.getShape()) + ", expected " + shapeString(want));
}

/// Grid kind and bits (section 1); `bitsName` is the attribute holding them.
LogicalResult checkGrid(const Checker &c) {
  if (!c.attr("grid")) return c.fail("needs a grid attribute (\"signed\", \"unsigned\" or \"symmetric\")");
  if (!c.attr("bits")) return c.fail("needs a bits attribute (1..8)");
  StringRef grid = c.string("grid", "");
  if (grid != "signed" && grid != "unsigned" && grid != "symmetric")
    return c.fail("grid must be \"signed\", \"unsigned\" or \"symmetric\", got \"" + grid + "\"");
  const int64_t bits = c.integer("bits", 0);
  if (bits < 1 || bits > 8) return c.fail("bits must be in 1..8, got " + Twine(bits));
  return success();
}

/// Element type of integer levels on a grid: ui8 for unsigned grids, si8
/// otherwise (symmetric levels reach 2^b - 1, so 8 bits do not fit).
FailureOr<Type> codeType(const Checker &c, MLIRContext *ctx) {
  StringRef grid = c.string("grid", "");
  const int64_t bits = c.integer("bits", 0);
  if (grid == "symmetric" && bits == 8) {
    (void)c.fail("8-bit symmetric levels (odd integers up to 255) do not fit in si8 codes");
    return failure();
  }
  return Type(IntegerType::get(ctx, 8, grid == "unsigned" ? IntegerType::Unsigned : IntegerType::Signed));
}

/// alpha (and sigma, gate logits) of a quantizer on `x` (sections 2-5).
LogicalResult checkQuantizer(const Checker &c, RankedTensorType x, unsigned alphaIndex, bool hasGates,
                             unsigned gateIndex) {
  if (failed(checkGrid(c))) return failure();
  StringRef grid = c.string("grid", "");
  const int64_t bits = c.integer("bits", 0);
  const double p = c.real("dropbits_p", 0.0);
  StringRef mode = c.string("dropbits", "hierarchical");
  if (mode != "hierarchical" && mode != "independent")
    return c.fail("dropbits must be \"hierarchical\" or \"independent\", got \"" + mode + "\"");
  if (!(p >= 0.0 && p < 1.0)) return c.fail("dropbits_p must be in [0, 1), got " + Twine(number(p)));
  if (grid == "symmetric" && (p > 0.0 || hasGates))
    return c.fail(Twine(p > 0.0 ? "DropBits" : "learned gates") +
                  " need nested sub-grids; the symmetric grid has none (use signed or unsigned)");
  if (bits == 1 && (p > 0.0 || hasGates))
    return c.fail(Twine(p > 0.0 ? "DropBits" : "learned gates") + " need at least 2 bits: a 1-bit grid has no level to drop");
  const double lambda = c.real("gate_lambda", 0.0);
  if (!(lambda >= 0.0)) return c.fail("gate_lambda must be non-negative, got " + Twine(number(lambda)));

  auto alpha = c.tensor(alphaIndex, "alpha", 1);
  auto sigma = c.tensor(alphaIndex + 1, "sigma", 1);
  if (failed(alpha) || failed(sigma)) return failure();
  int64_t want = 1;
  if (Attribute a = c.attr("axis")) {
    const int64_t axis = a.cast<IntegerAttr>().getInt();
    if (axis < 0 || axis >= x.getRank())
      return c.fail("axis " + Twine(axis) + " is outside the input's rank " + Twine(x.getRank()));
    want = x.getDimSize(axis);
    if (want == kDynamic) return c.fail("per-channel axis " + Twine(axis) + " has a dynamic size; quantize per tensor");
    if (alpha->getDimSize(0) != want)
      return c.fail("alpha has " + Twine(alpha->getDimSize(0)) + " entries but axis " + Twine(axis) +
                    " of the input has " + Twine(want) + " channels");
  } else if (alpha->getDimSize(0) != 1) {
    return c.fail("alpha has " + Twine(alpha->getDimSize(0)) +
                  " entries; a per-tensor quantizer takes one (set axis for per-channel)");
  }
  if (sigma->getShape() != alpha->getShape())
    return c.fail("sigma has shape " + shapeString(sigma->getShape()) + " but alpha has " +
                  shapeString(alpha->getShape()));
  if (hasGates) {
    auto gates = c.tensor(gateIndex, "gate_logits", 1);
    if (failed(gates)) return failure();
    if (gates->getDimSize(0) != bits - 1)
      return c.fail("gate_logits has " + Twine(gates->getDimSize(0)) + " entries; a " + Twine(bits) +
                    "-bit quantizer has one per level 2.." + Twine(bits) + ", " + Twine(bits - 1));
  }
  return success();
}

LogicalResult checkBatchNorm(const Checker &c, RankedTensorType x, unsigned firstStat, unsigned count) {
  if (x.getRank() != 2 && x.getRank() != 4)
    return c.fail("input must be NC or NCHW, got " + shapeString(x.getShape()));
  static const char *names[] = {"gamma", "beta", "mean", "variance"};
  for (unsigned k = 0; k < count; ++k) {
    auto s = c.tensor(firstStat + k, names[k], 1);
    if (failed(s)) return failure();
    if (!compatible(s->getDimSize(0), x.getDimSize(1)))
      return c.fail(Twine(names[k]) + " has " + Twine(s->getDimSize(0)) + " entries but the input has " +
                    Twine(x.getDimSize(1)) + " channels");
  }
  if (!(c.real("epsilon", 1e-5) > 0.0)) return c.fail("epsilon must be positive");
  const double m = c.real("momentum", 0.1);
  if (!(m >= 0.0 && m <= 1.0)) return c.fail("momentum must be in [0, 1], got " + Twine(number(m)));
  return success();
}

LogicalResult sameShapes(const Checker &c, ArrayRef<std::pair<unsigned, StringRef>> which, RankedTensorType &first) {
  for (auto [index, name] : which) {
    auto t = c.tensor(index, name);
    if (failed(t)) return failure();
    if (!first) {
      first = *t;
      continue;
    }
    if (failed(expectShape(c, name, *t, first.getShape()))) return failure();
  }
  return success();
}

int64_t packedRowBytes(int64_t elements, int64_t bits) {
  return elements == kDynamic ? kDynamic : (elements * bits + 7) / 8;
}

} // namespace

#define CPQ_INFER(Op)                                                                                              \
  LogicalResult Op::inferReturnTypes(MLIRContext *ctx, Optional<Location> loc, ValueRange operands,               \
                                     DictionaryAttr attrs, RegionRange, SmallVectorImpl<Type> &types)

//===----------------------------------------------------------------------===//
// Parameters
//===----------------------------------------------------------------------===//

LogicalResult cpq::dialect::verifyParam(ParamOp op) {
  auto type = op.getType().cast<RankedTensorType>();
  if (!type.hasStaticShape())
    return op.emitOpError("parameter \"") << op.name() << "\" needs a static shape, got " << type;
  if (op.name().empty()) return op.emitOpError("parameter name must not be empty");
  StringRef init = op.init();
  static const char *inits[] = {"he_normal", "glorot_uniform", "zeros", "ones", "constant"};
  if (!llvm::is_contained(inits, init))
    return op.emitOpError("unknown init \"") << init
                                             << "\"; expected he_normal, glorot_uniform, zeros, ones or constant";
  if (init == "constant" && !op.value())
    return op.emitOpError("init = \"constant\" needs a value attribute");
  if (init != "constant" && op.value())
    return op.emitOpError("a value is only allowed with init = \"constant\" (got init = \"") << init << "\")";
  if (auto value = op.valueAttr()) {
    // The passes and the code generator read the values densely.
    if (!value.isa<DenseElementsAttr>())
      return op.emitOpError("value must be a dense elements attribute, got ") << value;
    if (value.getType() != type)
      return op.emitOpError("value has type ") << value.getType() << " but the parameter is " << type;
  }
  if ((init == "he_normal" || init == "glorot_uniform") && type.getRank() < 2)
    return op.emitOpError("init \"") << init << "\" needs a weight of rank >= 2 to know its fan-in, got " << type;
  for (Operation &other : *op->getBlock()) {
    if (&other == op.getOperation()) break;
    if (auto p = dyn_cast<ParamOp>(other); p && p.name() == op.name())
      return op.emitOpError("parameter name \"") << op.name() << "\" is used twice in this function";
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Layers
//===----------------------------------------------------------------------===//

CPQ_INFER(Conv2dOp) {
  Checker c(loc, "conv2d", operands, attrs);
  auto x = c.floats(0, "input", 4);
  auto w = c.floats(1, "filter", 4);
  if (failed(x) || failed(w)) return failure();
  if (!w->hasStaticShape()) return c.fail("filter needs a static shape");
  auto shape = convShape(c, *x, w->getShape(), "filter");
  if (failed(shape)) return failure();
  if (c.has(2)) {
    auto b = c.tensor(2, "bias", 1);
    if (failed(b) || failed(expectShape(c, "bias", *b, {w->getDimSize(0)}))) return failure();
  }
  types.push_back(RankedTensorType::get(*shape, x->getElementType()));
  return success();
}

CPQ_INFER(DenseOp) {
  Checker c(loc, "dense", operands, attrs);
  auto x = c.floats(0, "input", 2);
  auto w = c.floats(1, "weight", 2);
  if (failed(x) || failed(w)) return failure();
  if (!w->hasStaticShape()) return c.fail("weight needs a static shape");
  if (!compatible(x->getDimSize(1), w->getDimSize(1)))
    return c.fail("input has " + Twine(x->getDimSize(1)) + " features but the weight expects " +
                  Twine(w->getDimSize(1)));
  if (c.has(2)) {
    auto b = c.tensor(2, "bias", 1);
    if (failed(b) || failed(expectShape(c, "bias", *b, {w->getDimSize(0)}))) return failure();
  }
  types.push_back(RankedTensorType::get({x->getDimSize(0), w->getDimSize(0)}, x->getElementType()));
  return success();
}

CPQ_INFER(ReluOp) {
  Checker c(loc, "relu", operands, attrs);
  auto x = c.tensor(0, "input");
  if (failed(x)) return failure();
  types.push_back(*x);
  return success();
}

namespace {
/// maxpool2d (floats or levels) and avgpool2d (floats).
LogicalResult inferPool(const Checker &c, bool levelsToo, SmallVectorImpl<Type> &types) {
  auto x = levelsToo ? c.tensor(0, "input", 4) : c.floats(0, "input", 4);
  if (failed(x)) return failure();
  auto shape = poolShape(c, *x);
  if (failed(shape)) return failure();
  types.push_back(RankedTensorType::get(*shape, x->getElementType()));
  return success();
}
} // namespace

CPQ_INFER(MaxPool2dOp) { return inferPool(Checker(loc, "maxpool2d", operands, attrs), true, types); }

CPQ_INFER(AvgPool2dOp) { return inferPool(Checker(loc, "avgpool2d", operands, attrs), false, types); }

CPQ_INFER(BatchNormOp) {
  Checker c(loc, "batch_norm", operands, attrs);
  auto x = c.tensor(0, "input");
  if (failed(x) || failed(checkBatchNorm(c, *x, 1, 4))) return failure();
  types.push_back(*x);
  return success();
}

CPQ_INFER(FlattenOp) {
  Checker c(loc, "flatten", operands, attrs);
  auto x = c.tensor(0, "input");
  if (failed(x)) return failure();
  if (x->getRank() < 2) return c.fail("input needs a batch axis and at least one more, got " + shapeString(x->getShape()));
  int64_t features = 1;
  for (int64_t d : x->getShape().drop_front()) features = (d == kDynamic || features == kDynamic) ? kDynamic : features * d;
  types.push_back(RankedTensorType::get({x->getDimSize(0), features}, x->getElementType()));
  return success();
}

CPQ_INFER(AddOp) {
  Checker c(loc, "add", operands, attrs);
  RankedTensorType first;
  if (failed(sameShapes(c, {{0, "lhs"}, {1, "rhs"}}, first))) return failure();
  types.push_back(first);
  return success();
}

CPQ_INFER(SoftmaxCrossEntropyOp) {
  Checker c(loc, "softmax_cross_entropy", operands, attrs);
  auto logits = c.tensor(0, "logits", 2);
  auto labels = c.tensor(1, "labels", 1);
  if (failed(logits) || failed(labels)) return failure();
  if (!compatible(logits->getDimSize(0), labels->getDimSize(0)))
    return c.fail("logits have " + Twine(logits->getDimSize(0)) + " rows but there are " +
                  Twine(labels->getDimSize(0)) + " labels");
  if (logits->getDimSize(1) == kDynamic) return c.fail("the number of classes (logits axis 1) must be static");
  types.push_back(RankedTensorType::get({}, FloatType::getF32(ctx)));
  types.push_back(RankedTensorType::get({}, IntegerType::get(ctx, 32)));
  return success();
}

CPQ_INFER(QuantizeOp) {
  Checker c(loc, "quantize", operands, attrs);
  auto x = c.floats(0, "input");
  if (failed(x) || failed(checkQuantizer(c, *x, 1, operands.size() > 3, 3))) return failure();
  types.push_back(*x);
  return success();
}

//===----------------------------------------------------------------------===//
// Training ops
//===----------------------------------------------------------------------===//

CPQ_INFER(QuantizeTrainOp) {
  Checker c(loc, "quantize_train", operands, attrs);
  auto x = c.tensor(0, "input");
  if (failed(x) || failed(checkQuantizer(c, *x, 1, operands.size() > 5, 5))) return failure();
  if (c.integer("tensor_id", -1) < 0) return c.fail("tensor_id must be a non-negative integer");
  types.push_back(*x);
  return success();
}

CPQ_INFER(QuantizeGradOp) {
  Checker c(loc, "quantize_grad", operands, attrs);
  RankedTensorType x;
  if (failed(sameShapes(c, {{1, "input"}, {0, "output_grad"}}, x))) return failure();
  const bool gates = operands.size() > 6;
  if (failed(checkQuantizer(c, x, 2, gates, 6))) return failure();
  if (c.integer("tensor_id", -1) < 0) return c.fail("tensor_id must be a non-negative integer");
  types.push_back(x);
  types.push_back(operands[2].getType());
  types.push_back(operands[3].getType());
  if (gates) types.push_back(operands[6].getType());
  return success();
}

CPQ_INFER(ReluGradOp) {
  Checker c(loc, "relu_grad", operands, attrs);
  RankedTensorType x;
  if (failed(sameShapes(c, {{1, "input"}, {0, "output_grad"}}, x))) return failure();
  types.push_back(x);
  return success();
}

namespace {
/// conv2d_grad_*: (dy, x, w) must be a consistent forward/backward triple.
LogicalResult checkConvGrad(const Checker &c, RankedTensorType &x, RankedTensorType &w) {
  auto dy = c.tensor(0, "output_grad", 4);
  auto xt = c.tensor(1, "input", 4);
  auto wt = c.tensor(2, "filter", 4);
  if (failed(dy) || failed(xt) || failed(wt)) return failure();
  if (!wt->hasStaticShape()) return c.fail("filter needs a static shape");
  auto y = convShape(c, *xt, wt->getShape(), "filter");
  if (failed(y) || failed(expectShape(c, "output_grad", *dy, *y))) return failure();
  x = *xt, w = *wt;
  return success();
}
} // namespace

CPQ_INFER(Conv2dGradInputOp) {
  Checker c(loc, "conv2d_grad_input", operands, attrs);
  RankedTensorType x, w;
  if (failed(checkConvGrad(c, x, w))) return failure();
  types.push_back(x);
  return success();
}

CPQ_INFER(Conv2dGradFilterOp) {
  Checker c(loc, "conv2d_grad_filter", operands, attrs);
  RankedTensorType x, w;
  if (failed(checkConvGrad(c, x, w))) return failure();
  types.push_back(w);
  return success();
}

CPQ_INFER(BiasGradOp) {
  Checker c(loc, "bias_grad", operands, attrs);
  auto dy = c.tensor(0, "output_grad");
  if (failed(dy)) return failure();
  if (dy->getRank() < 2) return c.fail("output_grad needs a channel axis 1, got " + shapeString(dy->getShape()));
  types.push_back(RankedTensorType::get({dy->getDimSize(1)}, dy->getElementType()));
  return success();
}

CPQ_INFER(DenseGradInputOp) {
  Checker c(loc, "dense_grad_input", operands, attrs);
  auto dy = c.tensor(0, "output_grad", 2);
  auto w = c.tensor(1, "weight", 2);
  if (failed(dy) || failed(w)) return failure();
  if (!compatible(dy->getDimSize(1), w->getDimSize(0)))
    return c.fail("output_grad has " + Twine(dy->getDimSize(1)) + " features but the weight has " +
                  Twine(w->getDimSize(0)) + " outputs");
  types.push_back(RankedTensorType::get({dy->getDimSize(0), w->getDimSize(1)}, dy->getElementType()));
  return success();
}

CPQ_INFER(DenseGradWeightOp) {
  Checker c(loc, "dense_grad_weight", operands, attrs);
  auto dy = c.tensor(0, "output_grad", 2);
  auto x = c.tensor(1, "input", 2);
  if (failed(dy) || failed(x)) return failure();
  if (!compatible(dy->getDimSize(0), x->getDimSize(0)))
    return c.fail("output_grad has " + Twine(dy->getDimSize(0)) + " rows but the input has " + Twine(x->getDimSize(0)));
  if (dy->getDimSize(1) == kDynamic || x->getDimSize(1) == kDynamic)
    return c.fail("the weight gradient needs static feature sizes");
  types.push_back(RankedTensorType::get({dy->getDimSize(1), x->getDimSize(1)}, dy->getElementType()));
  return success();
}

namespace {
/// maxpool2d_grad, avgpool2d_grad: dy must have the pooled shape of x.
LogicalResult inferPoolGrad(const Checker &c, SmallVectorImpl<Type> &types) {
  auto dy = c.tensor(0, "output_grad", 4);
  auto x = c.tensor(1, "input", 4);
  if (failed(dy) || failed(x)) return failure();
  auto y = poolShape(c, *x);
  if (failed(y) || failed(expectShape(c, "output_grad", *dy, *y))) return failure();
  types.push_back(*x);
  return success();
}
} // namespace

CPQ_INFER(MaxPool2dGradOp) { return inferPoolGrad(Checker(loc, "maxpool2d_grad", operands, attrs), types); }

CPQ_INFER(AvgPool2dGradOp) { return inferPoolGrad(Checker(loc, "avgpool2d_grad", operands, attrs), types); }

CPQ_INFER(BatchNormTrainOp) {
  Checker c(loc, "batch_norm_train", operands, attrs);
  auto x = c.tensor(0, "input");
  if (failed(x) || failed(checkBatchNorm(c, *x, 1, 4))) return failure();
  types.push_back(*x);
  for (int k = 0; k < 4; ++k) types.push_back(operands[1].getType());
  return success();
}

CPQ_INFER(BatchNormGradOp) {
  Checker c(loc, "batch_norm_grad", operands, attrs);
  RankedTensorType x;
  if (failed(sameShapes(c, {{1, "input"}, {0, "output_grad"}}, x))) return failure();
  if (failed(checkBatchNorm(c, x, 2, 1))) return failure();
  RankedTensorType stats;
  if (failed(sameShapes(c, {{2, "gamma"}, {3, "batch_mean"}, {4, "batch_inv_std"}}, stats))) return failure();
  types.push_back(x);
  types.push_back(stats);
  types.push_back(stats);
  return success();
}

CPQ_INFER(FlattenGradOp) {
  Checker c(loc, "flatten_grad", operands, attrs);
  auto dy = c.tensor(0, "output_grad", 2);
  auto x = c.tensor(1, "input");
  if (failed(dy) || failed(x)) return failure();
  SmallVector<Type, 1> flat;
  if (failed(FlattenOp::inferReturnTypes(ctx, loc, operands.drop_front(), attrs, {}, flat))) return failure();
  if (failed(expectShape(c, "output_grad", *dy, flat[0].cast<RankedTensorType>().getShape()))) return failure();
  types.push_back(*x);
  return success();
}

CPQ_INFER(SoftmaxCrossEntropyGradOp) {
  SmallVector<Type, 2> loss;
  if (failed(SoftmaxCrossEntropyOp::inferReturnTypes(ctx, loc, operands, attrs, {}, loss))) return failure();
  types.push_back(operands[0].getType());
  return success();
}

CPQ_INFER(SgdUpdateOp) {
  Checker c(loc, "sgd_update", operands, attrs);
  RankedTensorType p;
  if (failed(sameShapes(c, {{0, "param"}, {1, "grad"}, {2, "momentum_buffer"}}, p))) return failure();
  const double m = c.real("momentum", 0.9), wd = c.real("weight_decay", 0.0);
  if (!(m >= 0.0 && m < 1.0)) return c.fail("momentum must be in [0, 1), got " + Twine(number(m)));
  if (!(wd >= 0.0)) return c.fail("weight_decay must be non-negative, got " + Twine(number(wd)));
  if (c.attr("relative") && wd != 0.0) return c.fail("relative steps take no weight_decay");
  types.append(2, p);
  return success();
}

CPQ_INFER(AdamUpdateOp) {
  Checker c(loc, "adam_update", operands, attrs);
  RankedTensorType p;
  if (failed(sameShapes(c, {{0, "param"}, {1, "grad"}, {2, "first_moment"}, {3, "second_moment"}}, p)))
    return failure();
  const double b1 = c.real("beta1", 0.9), b2 = c.real("beta2", 0.999), eps = c.real("epsilon", 1e-8),
               wd = c.real("weight_decay", 0.0);
  if (!(b1 >= 0.0 && b1 < 1.0) || !(b2 >= 0.0 && b2 < 1.0))
    return c.fail("beta1 and beta2 must be in [0, 1), got " + Twine(number(b1)) + " and " + Twine(number(b2)));
  if (!(eps > 0.0)) return c.fail("epsilon must be positive, got " + Twine(number(eps)));
  if (!(wd >= 0.0)) return c.fail("weight_decay must be non-negative, got " + Twine(number(wd)));
  if (c.attr("relative") && wd != 0.0) return c.fail("relative steps take no weight_decay");
  types.append(3, p);
  return success();
}

//===----------------------------------------------------------------------===//
// Inference ops
//===----------------------------------------------------------------------===//

namespace {
/// encode, decode: operand 0 the data, operand 1 a per-tensor alpha; the
/// element type of the grid's levels.
FailureOr<Type> checkLevels(const Checker &c, MLIRContext *ctx, StringRef dataName, RankedTensorType &data) {
  auto x = c.tensor(0, dataName);
  auto alpha = c.floats(1, "alpha", 1);
  if (failed(x) || failed(alpha) || failed(checkGrid(c))) return failure();
  if (alpha->getDimSize(0) != 1) {
    (void)c.fail("alpha must have one entry (activations are quantized per tensor)");
    return failure();
  }
  data = *x;
  return codeType(c, ctx);
}
} // namespace

CPQ_INFER(EncodeOp) {
  Checker c(loc, "encode", operands, attrs);
  RankedTensorType x;
  auto element = checkLevels(c, ctx, "input", x);
  if (failed(element)) return failure();
  types.push_back(RankedTensorType::get(x.getShape(), *element));
  return success();
}

CPQ_INFER(DecodeOp) {
  Checker c(loc, "decode", operands, attrs);
  RankedTensorType q;
  auto element = checkLevels(c, ctx, "codes", q);
  if (failed(element)) return failure();
  if (q.getElementType() != *element) {
    std::string want, got;
    llvm::raw_string_ostream(want) << *element;
    llvm::raw_string_ostream(got) << q.getElementType();
    return c.fail("codes are " + got + " but levels of the " + c.string("grid", "") + " grid are " + want);
  }
  types.push_back(RankedTensorType::get(q.getShape(), FloatType::getF32(ctx)));
  return success();
}

CPQ_INFER(PackOp) {
  Checker c(loc, "pack", operands, attrs);
  auto w = c.tensor(0, "weight");
  auto alpha = c.tensor(1, "alpha", 1);
  if (failed(w) || failed(alpha) || failed(checkGrid(c))) return failure();
  if (!w->hasStaticShape() || w->getRank() < 1) return c.fail("weight needs a static shape");
  if (alpha->getDimSize(0) != 1 && alpha->getDimSize(0) != w->getDimSize(0))
    return c.fail("alpha has " + Twine(alpha->getDimSize(0)) + " entries; expected 1 or one per output channel (" +
                  Twine(w->getDimSize(0)) + ")");
  const int64_t row = w->getNumElements() / w->getDimSize(0);
  types.push_back(RankedTensorType::get({w->getDimSize(0), packedRowBytes(row, c.integer("bits", 0))},
                                        IntegerType::get(ctx, 8, IntegerType::Unsigned)));
  return success();
}

CPQ_INFER(QConv2dOp) {
  Checker c(loc, "qconv2d", operands, attrs);
  auto x = c.tensor(0, "input", 4);
  auto p = c.tensor(1, "packed_filter", 2);
  if (failed(x) || failed(p) || failed(checkGrid(c))) return failure();
  if (!c.attr("kernel")) return c.fail("needs a kernel = [height, width] attribute");
  auto kernel = c.pair("kernel", {1, 1}, 1);
  if (failed(kernel)) return failure();
  const int64_t groups = std::max<int64_t>(1, c.integer("groups", 1));
  const int64_t channels = x->getDimSize(1);
  if (channels == kDynamic) return c.fail("input channels must be static");
  if (channels % groups != 0)
    return c.fail("input has " + Twine(channels) + " channels, not divisible by groups = " + Twine(groups));
  const int64_t row = channels / groups * (*kernel)[0] * (*kernel)[1];
  const int64_t bits = c.integer("bits", 0);
  if (p->getDimSize(1) != packedRowBytes(row, bits))
    return c.fail("packed_filter rows have " + Twine(p->getDimSize(1)) + " bytes; " + Twine(row) + " codes of " +
                  Twine(bits) + " bits take " + Twine(packedRowBytes(row, bits)));
  const int64_t filter[4] = {p->getDimSize(0), channels / groups, (*kernel)[0], (*kernel)[1]};
  auto shape = convShape(c, *x, filter, "packed_filter");
  if (failed(shape)) return failure();
  types.push_back(RankedTensorType::get(*shape, IntegerType::get(ctx, 32)));
  return success();
}

CPQ_INFER(QDenseOp) {
  Checker c(loc, "qdense", operands, attrs);
  auto x = c.tensor(0, "input", 2);
  auto p = c.tensor(1, "packed_weight", 2);
  if (failed(x) || failed(p) || failed(checkGrid(c))) return failure();
  const int64_t bits = c.integer("bits", 0);
  if (x->getDimSize(1) == kDynamic) return c.fail("input features must be static");
  if (p->getDimSize(1) != packedRowBytes(x->getDimSize(1), bits))
    return c.fail("packed_weight rows have " + Twine(p->getDimSize(1)) + " bytes; " + Twine(x->getDimSize(1)) +
                  " codes of " + Twine(bits) + " bits take " + Twine(packedRowBytes(x->getDimSize(1), bits)));
  types.push_back(RankedTensorType::get({x->getDimSize(0), p->getDimSize(0)}, IntegerType::get(ctx, 32)));
  return success();
}

CPQ_INFER(RequantizeOp) {
  Checker c(loc, "requantize", operands, attrs);
  auto acc = c.tensor(0, "input");
  auto scale = c.tensor(1, "scale", 1);
  auto bias = c.tensor(2, "bias", 1);
  if (failed(acc) || failed(scale) || failed(bias)) return failure();
  if (acc->getRank() < 2) return c.fail("input needs a channel axis 1, got " + shapeString(acc->getShape()));
  for (auto [t, name] : {std::pair{*scale, "scale"}, std::pair{*bias, "bias"}})
    if (!compatible(t.getDimSize(0), acc->getDimSize(1)))
      return c.fail(Twine(name) + " has " + Twine(t.getDimSize(0)) + " entries but the input has " +
                    Twine(acc->getDimSize(1)) + " channels");
  if (operands.size() > 3) {
    auto alpha = c.tensor(3, "next_alpha", 1);
    if (failed(alpha) || failed(checkGrid(c))) return failure();
    if (alpha->getDimSize(0) != 1) return c.fail("next_alpha must have one entry");
    auto element = codeType(c, ctx);
    if (failed(element)) return failure();
    types.push_back(RankedTensorType::get(acc->getShape(), *element));
    return success();
  }
  if (c.attr("grid") || c.attr("bits"))
    return c.fail("grid and bits describe the next quantizer and need its next_alpha operand");
  types.push_back(RankedTensorType::get(acc->getShape(), FloatType::getF32(ctx)));
  return success();
}

#define GET_OP_CLASSES
#include "CpqOps.cpp.inc"
