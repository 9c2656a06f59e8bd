//===- CpqInferenceOps.cpp - checks and result types of the inference ops --===//
//
// This file implements the checks and result types of the ops --cpq-freeze
// emits: integer levels (encode, decode), packed weights (pack), integer
// products (qconv2d, qdense) and requantization (OpChecks.h says how checks
// and inference meet).
//
//===----------------------------------------------------------------------===//
#include "OpChecks.h"

#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace cpq::dialect;
using namespace cpq::dialect::checks;

namespace {

/// encode, decode: the data, a per-tensor alpha, the grid; the element
/// type of the grid's levels.
FailureOr<Type> levels(const Checker &c, Value data, StringRef dataName, Value alphaValue, GridKind grid, int64_t bits,
                       RankedTensorType &out) {
  auto x = c.tensor(data, dataName);
  if (failed(x)) return failure();
  auto alpha = c.floats(alphaValue, "alpha", 1);
  if (failed(alpha) || failed(checkBits(c, bits))) return failure();
  if (alpha->getDimSize(0) != 1) {
    (void)c.fail("alpha must have one entry (activations are quantized per tensor)");
    return failure();
  }
  out = *x;
  return codeType(c, grid, bits);
}

FailureOr<Type> check(EncodeOpAdaptor a, const Checker &c) {
  RankedTensorType x;
  auto element = levels(c, a.input(), "input", a.alpha(), a.grid(), int64_t(a.bits()), x);
  if (failed(element)) return failure();
  return Type(RankedTensorType::get(x.getShape(), *element));
}

FailureOr<Type> check(DecodeOpAdaptor a, const Checker &c) {
  RankedTensorType q;
  auto element = levels(c, a.codes(), "codes", a.alpha(), a.grid(), int64_t(a.bits()), q);
  if (failed(element)) return failure();
  if (q.getElementType() != *element) {
    std::string want, got;
    llvm::raw_string_ostream(want) << *element;
    llvm::raw_string_ostream(got) << q.getElementType();
    return c.refuse("codes are " + got + " but levels of the " + stringifyGridKind(a.grid()) + " grid are " + want);
  }
  return Type(RankedTensorType::get(q.getShape(), FloatType::getF32(c.ctx)));
}

FailureOr<Type> check(PackOpAdaptor a, const Checker &c) {
  auto w = c.tensor(a.weight(), "weight");
  if (failed(w)) return failure();
  auto alpha = c.tensor(a.alpha(), "alpha", 1);
  const int64_t bits = int64_t(a.bits());
  if (failed(alpha) || failed(checkBits(c, bits))) return failure();
  if (w->getRank() < 1) return c.refuse("weight needs an output-channel axis 0, got a scalar");
  if (!w->hasStaticShape()) return c.refuse("weight needs a static shape");
  if (!alpha->hasStaticShape()) return c.refuse("alpha needs a static shape");
  if (alpha->getDimSize(0) != 1 && alpha->getDimSize(0) != w->getDimSize(0))
    return c.refuse("alpha has " + Twine(alpha->getDimSize(0)) + " entries; expected 1 or one per output channel (" +
                  Twine(w->getDimSize(0)) + ")");
  const int64_t row = w->getNumElements() / w->getDimSize(0);
  return Type(RankedTensorType::get({w->getDimSize(0), packedRowBytes(row, bits)},
                                    IntegerType::get(c.ctx, 8, IntegerType::Unsigned)));
}

FailureOr<Type> check(QConv2dOpAdaptor a, const Checker &c) {
  auto x = c.tensor(a.input(), "input", 4);
  if (failed(x)) return failure();
  auto p = c.tensor(a.packed_filter(), "packed_filter", 2);
  const int64_t bits = int64_t(a.bits());
  if (failed(p) || failed(checkBits(c, bits))) return failure();
  if (!p->hasStaticShape()) return c.refuse("packed_filter needs a static shape");
  auto kernel = c.pair(a.kernelAttr(), "kernel", {1, 1}, 1);
  if (failed(kernel)) return failure();
  const int64_t groups = int64_t(a.groups());
  if (groups < 1) return c.refuse("groups must be at least 1, got " + Twine(groups));
  const int64_t channels = x->getDimSize(1);
  if (channels == kDynamic) return c.refuse("input channels must be static");
  if (channels % groups != 0)
    return c.refuse("input has " + Twine(channels) + " channels, not divisible by groups = " + Twine(groups));
  const int64_t row = channels / groups * (*kernel)[0] * (*kernel)[1];
  if (p->getDimSize(1) != packedRowBytes(row, bits))
    return c.refuse("packed_filter rows have " + Twine(p->getDimSize(1)) + " bytes; " + Twine(row) + " codes of " +
                  Twine(bits) + " bits take " + Twine(packedRowBytes(row, bits)));
  const int64_t filter[4] = {p->getDimSize(0), channels / groups, (*kernel)[0], (*kernel)[1]};
  auto shape = convShape(c, *x, filter, "packed_filter", {Attribute(), a.strideAttr(), a.paddingAttr(), groups});
  if (failed(shape)) return failure();
  return Type(RankedTensorType::get(*shape, IntegerType::get(c.ctx, 32)));
}

FailureOr<Type> check(QDenseOpAdaptor a, const Checker &c) {
  auto x = c.tensor(a.input(), "input", 2);
  if (failed(x)) return failure();
  auto p = c.tensor(a.packed_weight(), "packed_weight", 2);
  const int64_t bits = int64_t(a.bits());
  if (failed(p) || failed(checkBits(c, bits))) return failure();
  if (!p->hasStaticShape()) return c.refuse("packed_weight needs a static shape");
  if (x->getDimSize(1) == kDynamic) return c.refuse("input features must be static");
  if (p->getDimSize(1) != packedRowBytes(x->getDimSize(1), bits))
    return c.refuse("packed_weight rows have " + Twine(p->getDimSize(1)) + " bytes; " + Twine(x->getDimSize(1)) +
                  " codes of " + Twine(bits) + " bits take " + Twine(packedRowBytes(x->getDimSize(1), bits)));
  return Type(RankedTensorType::get({x->getDimSize(0), p->getDimSize(0)}, IntegerType::get(c.ctx, 32)));
}

FailureOr<Type> check(RequantizeOpAdaptor a, const Checker &c) {
  auto acc = c.tensor(a.input(), "input");
  if (failed(acc)) return failure();
  auto scale = c.tensor(a.scale(), "scale", 1);
  if (failed(scale)) return failure();
  auto bias = c.tensor(a.bias(), "bias", 1);
  if (failed(bias)) return failure();
  if (acc->getRank() < 2) return c.refuse("input needs a channel axis 1, got " + shapeString(acc->getShape()));
  for (auto [t, name] : {std::pair{*scale, "scale"}, std::pair{*bias, "bias"}})
    if (!compatible(t.getDimSize(0), acc->getDimSize(1)))
      return c.refuse(Twine(name) + " has " + Twine(t.getDimSize(0)) + " entries but the input has " +
                    Twine(acc->getDimSize(1)) + " channels");
  if (a.next_alpha()) {
    auto alpha = c.tensor(a.next_alpha(), "next_alpha", 1);
    if (failed(alpha)) return failure();
    if (!a.gridAttr() || !a.bitsAttr())
      return c.refuse("with next_alpha, needs the next quantizer's grid and bits attributes");
    if (failed(checkBits(c, int64_t(*a.bits())))) return failure();
    if (alpha->getDimSize(0) != 1) return c.refuse("next_alpha must have one entry");
    auto element = codeType(c, *a.grid(), int64_t(*a.bits()));
    if (failed(element)) return failure();
    return Type(RankedTensorType::get(acc->getShape(), *element));
  }
  if (a.gridAttr() || a.bitsAttr())
    return c.refuse("grid and bits describe the next quantizer and need its next_alpha operand");
  return Type(RankedTensorType::get(acc->getShape(), FloatType::getF32(c.ctx)));
}

} // namespace

CPQ_CHECKED_OP(EncodeOp)
CPQ_CHECKED_OP(DecodeOp)
CPQ_CHECKED_OP(PackOp)
CPQ_CHECKED_OP(QConv2dOp)
CPQ_CHECKED_OP(QDenseOp)
CPQ_CHECKED_OP(RequantizeOp)
