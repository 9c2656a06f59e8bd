//===- OpChecks.cpp - what the cpq ops' checks share -------------------------===//
#include "OpChecks.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace cpq::dialect::checks {

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

LogicalResult Checker::fail(const Twine &message) const {
  if (reported) return failure();
  reported = true;
  return emitOptionalError(loc, "'", opName, "' op ", message.str());
}

FailureOr<RankedTensorType> Checker::tensor(Value v, StringRef what, int64_t rank) const {
  if (!v) { // the traits check operand counts first: only a pass building an op wrongly gets here
    (void)fail(Twine("internal error: no ") + what + " operand");
    return failure();
  }
  auto t = v.getType().dyn_cast<RankedTensorType>();
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

FailureOr<RankedTensorType> Checker::floats(Value v, StringRef what, int64_t rank) const {
  auto t = tensor(v, what, rank);
  if (failed(t)) return failure();
  if (!t->getElementType().isF32()) {
    std::string type;
    llvm::raw_string_ostream(type) << t->getElementType();
    (void)fail(Twine(what) + " must hold float32 values, got " + type);
    return failure();
  }
  return t;
}

FailureOr<std::array<int64_t, 2>> Checker::pair(Attribute a, StringRef name, std::array<int64_t, 2> fallback,
                                                int64_t minimum) const {
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

FailureOr<int64_t> windowOutput(const Checker &c, StringRef axis, int64_t in, int64_t k, int64_t s, int64_t p) {
  if (in == kDynamic) return kDynamic;
  if (in + 2 * p < k) {
    (void)c.fail(Twine("window of ") + Twine(k) + " does not fit the " + axis + " of the input, " + Twine(in) +
                 " plus padding 2 x " + Twine(number(p)));
    return failure();
  }
  return (in + 2 * p - k) / s + 1;
}

FailureOr<SmallVector<int64_t, 4>> convShape(const Checker &c, RankedTensorType x, ArrayRef<int64_t> filterShape,
                                             StringRef filterName, const Window &win) {
  auto stride = c.pair(win.stride, "stride", {1, 1}, 1);
  if (failed(stride)) return failure();
  auto padding = c.pair(win.padding, "padding", {0, 0}, 0);
  if (failed(padding)) return failure();
  const int64_t groups = win.groups;
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

FailureOr<SmallVector<int64_t, 4>> poolShape(const Checker &c, RankedTensorType x, const Window &win) {
  auto kernel = c.pair(win.kernel, "kernel", {1, 1}, 1);
  if (failed(kernel)) return failure();
  auto stride = c.pair(win.stride, "stride", *kernel, 1);
  if (failed(stride)) return failure();
  auto padding = c.pair(win.padding, "padding", {0, 0}, 0);
  if (failed(padding)) return failure();
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

LogicalResult sameShapes(const Checker &c, ArrayRef<std::pair<Value, StringRef>> which, RankedTensorType &first) {
  for (auto [value, name] : which) {
    auto t = c.tensor(value, name);
    if (failed(t)) return failure();
    if (!first) {
      first = *t;
      continue;
    }
    if (failed(expectShape(c, name, *t, first.getShape()))) return failure();
  }
  return success();
}

LogicalResult checkBits(const Checker &c, int64_t bits) {
  if (bits < 1 || bits > 8) return c.fail("bits must be in 1..8, got " + Twine(bits));
  return success();
}

FailureOr<Type> codeType(const Checker &c, GridKind grid, int64_t bits) {
  if (grid == GridKind::Symmetric && bits == 8) {
    (void)c.fail("8-bit symmetric levels (odd integers up to 255) do not fit in si8 codes");
    return failure();
  }
  return Type(IntegerType::get(c.ctx, 8, grid == GridKind::Unsigned ? IntegerType::Unsigned : IntegerType::Signed));
}

LogicalResult checkQuantizer(const Checker &c, RankedTensorType x, const QuantizerOperands &q) {
  if (failed(checkBits(c, q.bits))) return failure();
  const double p = q.dropbitsP;
  const bool gates = bool(q.gateLogits);
  if (!(p >= 0.0 && p < 1.0)) return c.fail("dropbits_p must be in [0, 1), got " + Twine(number(p)));
  if (q.grid == GridKind::Symmetric && (p > 0.0 || gates))
    return c.fail(Twine(p > 0.0 ? "DropBits" : "learned gates") +
                  " need nested sub-grids; the symmetric grid has none (use signed or unsigned)");
  if (q.bits == 1 && (p > 0.0 || gates))
    return c.fail(Twine(p > 0.0 ? "DropBits" : "learned gates") + " need at least 2 bits: a 1-bit grid has no level to drop");
  if (!(q.gateLambda >= 0.0)) return c.fail("gate_lambda must be non-negative, got " + Twine(number(q.gateLambda)));

  auto alpha = c.tensor(q.alpha, "alpha", 1);
  if (failed(alpha)) return failure();
  if (!alpha->hasStaticShape()) return c.fail("alpha needs a static shape (one entry, or one per channel)");
  auto sigma = c.tensor(q.sigma, "sigma", 1);
  if (failed(sigma)) return failure();
  if (q.axis) {
    const int64_t axis = int64_t(*q.axis);
    if (axis < 0 || axis >= x.getRank())
      return c.fail("axis " + Twine(axis) + " is outside the input's rank " + Twine(x.getRank()));
    const int64_t want = x.getDimSize(axis);
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
  if (gates) {
    auto g = c.tensor(q.gateLogits, "gate_logits", 1);
    if (failed(g)) return failure();
    if (!g->hasStaticShape()) return c.fail("gate_logits needs a static shape (one entry per level 2.." + Twine(q.bits) + ")");
    if (g->getDimSize(0) != q.bits - 1)
      return c.fail("gate_logits has " + Twine(g->getDimSize(0)) + " entries; a " + Twine(q.bits) +
                    "-bit quantizer has one per level 2.." + Twine(q.bits) + ", " + Twine(q.bits - 1));
  }
  return success();
}

LogicalResult checkBatchNorm(const Checker &c, RankedTensorType x, ArrayRef<std::pair<Value, StringRef>> stats,
                             double epsilon, double momentum) {
  if (x.getRank() != 2 && x.getRank() != 4)
    return c.fail("input must be NC or NCHW, got " + shapeString(x.getShape()));
  for (auto [value, name] : stats) {
    auto s = c.tensor(value, name, 1);
    if (failed(s)) return failure();
    if (!compatible(s->getDimSize(0), x.getDimSize(1)))
      return c.fail(Twine(name) + " has " + Twine(s->getDimSize(0)) + " entries but the input has " +
                    Twine(x.getDimSize(1)) + " channels");
  }
  if (!(epsilon > 0.0)) return c.fail("epsilon must be positive, got " + Twine(number(epsilon)));
  if (!(momentum >= 0.0 && momentum <= 1.0)) return c.fail("momentum must be in [0, 1], got " + Twine(number(momentum)));
  return success();
}

LogicalResult checkLoss(const Checker &c, Value logitsValue, Value labelsValue) {
  auto logits = c.tensor(logitsValue, "logits", 2);
  if (failed(logits)) return failure();
  auto labels = c.tensor(labelsValue, "labels", 1);
  if (failed(labels)) return failure();
  if (!compatible(logits->getDimSize(0), labels->getDimSize(0)))
    return c.fail("logits have " + Twine(logits->getDimSize(0)) + " rows but there are " +
                  Twine(labels->getDimSize(0)) + " labels");
  if (logits->getDimSize(1) == kDynamic) return c.fail("the number of classes (logits axis 1) must be static");
  return success();
}

FailureOr<RankedTensorType> flattened(const Checker &c, Value v) {
  auto x = c.tensor(v, "input");
  if (failed(x)) return failure();
  if (x->getRank() < 2) {
    (void)c.fail("input needs a batch axis and at least one more, got " + shapeString(x->getShape()));
    return failure();
  }
  int64_t features = 1;
  for (int64_t d : x->getShape().drop_front()) features = (d == kDynamic || features == kDynamic) ? kDynamic : features * d;
  return RankedTensorType::get({x->getDimSize(0), features}, x->getElementType());
}

} // namespace cpq::dialect::checks
