//===- OpChecks.h - what the cpq ops' checks share ---------------*- C++ -*-===//
//
// This file declares the pieces every op's checks use: a Checker that
// reports an op's first problem as "'cpq.<op>' op <problem>" at its
// location, reads operands as ranked tensors of a rank and element type,
// and reads [height, width] pairs; and the shape rules several ops share
// (windows of convolutions and pools, the quantizer's scales, batch-norm
// statistics, integer levels of a grid).
//
// Each op's checks are one function over its generated adaptor, called by
// the op's verify() and by its inferReturnTypes: MLIR 14 verifies
// InferTypeOpInterface (which infers the result types) before the op's own
// verifier, so inference must refuse what is invalid with the same message.
// Inference also runs on operands whose types ODS has not checked yet, so
// every operand is read through the Checker, never cast blindly. Internal
// to dialect/lib.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "cpq/dialect/CpqDialect.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"

#include <array>
#include <string>

namespace cpq::dialect::checks {

constexpr int64_t kDynamic = mlir::ShapedType::kDynamicSize;

/// "[?, 3, 28, 28]".
std::string shapeString(llvm::ArrayRef<int64_t> shape);
/// A number as %g prints it.
std::string number(double v);
inline bool compatible(int64_t a, int64_t b) { return a == kDynamic || b == kDynamic || a == b; }

class Checker {
public:
  Checker(mlir::MLIRContext *ctx, llvm::Optional<mlir::Location> loc, llvm::StringRef opName)
      : ctx(ctx), loc(loc), opName(opName) {}
  template <class Op>
  explicit Checker(Op op) : Checker(op->getContext(), op->getLoc(), Op::getOperationName()) {}

  /// Reports the op's first problem only: later checks often follow from it.
  mlir::LogicalResult fail(const llvm::Twine &message) const;
  /// fail() where a check returns a value: a failure of any result type.
  struct Refusal {
    operator mlir::LogicalResult() const { return mlir::failure(); }
    template <class T> operator mlir::FailureOr<T>() const { return mlir::failure(); }
  };
  Refusal refuse(const llvm::Twine &message) const {
    (void)fail(message);
    return {};
  }
  /// ODS's checks of the attributes (present, of their kind and cases),
  /// before the typed accessors read them.
  template <class Adaptor> mlir::LogicalResult attributes(Adaptor &a) const {
    if (reported) return mlir::failure();
    return a.verify(loc ? *loc : mlir::UnknownLoc::get(ctx));
  }

  /// `v` as a ranked tensor of the given rank (-1: any).
  mlir::FailureOr<mlir::RankedTensorType> tensor(mlir::Value v, llvm::StringRef what, int64_t rank = -1) const;
  /// `v` as a ranked float32 tensor of the given rank (-1: any).
  mlir::FailureOr<mlir::RankedTensorType> floats(mlir::Value v, llvm::StringRef what, int64_t rank = -1) const;
  /// A [height, width] pair of integers, each at least `minimum`; `fallback`
  /// when the attribute is absent.
  mlir::FailureOr<std::array<int64_t, 2>> pair(mlir::Attribute a, llvm::StringRef name,
                                               std::array<int64_t, 2> fallback, int64_t minimum) const;

  mlir::MLIRContext *ctx;
  llvm::Optional<mlir::Location> loc;
  llvm::StringRef opName;
  mutable bool reported = false;
};

/// The window attributes of a convolution or pool.
struct Window {
  mlir::Attribute kernel, stride, padding;
  int64_t groups = 1;
};

/// Output size of a window along one axis; fails when the window does not
/// fit the padded input.
mlir::FailureOr<int64_t> windowOutput(const Checker &c, llvm::StringRef axis, int64_t in, int64_t k, int64_t s,
                                      int64_t p);
/// The NCHW output shape of a convolution of x with a filter of `filterShape`.
mlir::FailureOr<llvm::SmallVector<int64_t, 4>> convShape(const Checker &c, mlir::RankedTensorType x,
                                                         llvm::ArrayRef<int64_t> filterShape,
                                                         llvm::StringRef filterName, const Window &w);
/// The NCHW output shape of a pooling window over x (kernel required).
mlir::FailureOr<llvm::SmallVector<int64_t, 4>> poolShape(const Checker &c, mlir::RankedTensorType x, const Window &w);

mlir::LogicalResult expectShape(const Checker &c, llvm::StringRef what, mlir::RankedTensorType t,
                                llvm::ArrayRef<int64_t> want);
/// Operands that must have one shape; `first` gets it.
mlir::LogicalResult sameShapes(const Checker &c, llvm::ArrayRef<std::pair<mlir::Value, llvm::StringRef>> which,
                               mlir::RankedTensorType &first);

/// bits in 1..8.
mlir::LogicalResult checkBits(const Checker &c, int64_t bits);
/// The element type of integer levels on a grid: ui8 for unsigned grids,
/// si8 otherwise (symmetric levels reach 2^b - 1: 8 bits do not fit).
mlir::FailureOr<mlir::Type> codeType(const Checker &c, GridKind grid, int64_t bits);

/// The quantizer's options and operands (cpq-method.md sections 2-5).
struct QuantizerOperands {
  GridKind grid;
  int64_t bits;
  llvm::Optional<uint64_t> axis;
  double dropbitsP, gateLambda;
  mlir::Value alpha, sigma, gateLogits;
};
template <class Adaptor> QuantizerOperands quantizerOf(Adaptor &a) {
  return {a.grid(), int64_t(a.bits()), a.axis(), a.dropbits_p().convertToDouble(), a.gate_lambda().convertToDouble(),
          a.alpha(), a.sigma(), a.gate_logits()};
}
mlir::LogicalResult checkQuantizer(const Checker &c, mlir::RankedTensorType x, const QuantizerOperands &q);

/// Batch-norm statistics: each of `stats` has one entry per channel of x.
mlir::LogicalResult checkBatchNorm(const Checker &c, mlir::RankedTensorType x,
                                   llvm::ArrayRef<std::pair<mlir::Value, llvm::StringRef>> stats, double epsilon,
                                   double momentum);

/// batch_norm and batch_norm_train: the input with its four statistics and
/// the op's epsilon and momentum.
template <class Adaptor> mlir::FailureOr<mlir::RankedTensorType> batchNormInput(Adaptor &a, const Checker &c) {
  auto x = c.tensor(a.input(), "input");
  if (mlir::failed(x) ||
      mlir::failed(checkBatchNorm(
          c, *x, {{a.gamma(), "gamma"}, {a.beta(), "beta"}, {a.mean(), "mean"}, {a.variance(), "variance"}},
          a.epsilon().convertToDouble(), a.momentum().convertToDouble())))
    return mlir::failure();
  return x;
}

/// The loss's operands: N x K logits (K static) and N labels.
mlir::LogicalResult checkLoss(const Checker &c, mlir::Value logits, mlir::Value labels);

/// The flattened shape of x ([N, product of the rest]).
mlir::FailureOr<mlir::RankedTensorType> flattened(const Checker &c, mlir::Value x);

/// Bytes of a packed row of `elements` codes of `bits` bits.
inline int64_t packedRowBytes(int64_t elements, int64_t bits) {
  return elements == kDynamic ? kDynamic : (elements * bits + 7) / 8;
}

inline void appendTypes(llvm::SmallVectorImpl<mlir::Type> &to, mlir::Type t) { to.push_back(t); }
template <unsigned N> void appendTypes(llvm::SmallVectorImpl<mlir::Type> &to, const llvm::SmallVector<mlir::Type, N> &ts) {
  to.append(ts.begin(), ts.end());
}

/// An op's inferReturnTypes: its attributes checked by ODS, then its own
/// checks (`check(adaptor, checker)`, returning its result type or types).
template <class Op, class Check>
mlir::LogicalResult inferChecked(mlir::MLIRContext *ctx, llvm::Optional<mlir::Location> loc, mlir::ValueRange operands,
                                 mlir::DictionaryAttr attrs, llvm::SmallVectorImpl<mlir::Type> &types, Check check) {
  typename Op::Adaptor a(operands, attrs);
  Checker c(ctx, loc, Op::getOperationName());
  if (mlir::failed(c.attributes(a))) return mlir::failure();
  auto t = check(a, c);
  if (mlir::failed(t)) return mlir::failure();
  appendTypes(types, *t);
  return mlir::success();
}

/// An op's verify(): the same checks on the op itself.
template <class Op, class Check> mlir::LogicalResult verifyChecked(Op op, Check check) {
  typename Op::Adaptor a(op);
  return mlir::success(mlir::succeeded(check(a, Checker(op))));
}

} // namespace cpq::dialect::checks

/// `LogicalResult Op::inferReturnTypes(...)` of a cpq op.
#define CPQ_INFER(Op)                                                                                                  \
  mlir::LogicalResult Op::inferReturnTypes(mlir::MLIRContext *ctx, llvm::Optional<mlir::Location> loc,                 \
                                           mlir::ValueRange operands, mlir::DictionaryAttr attrs, mlir::RegionRange,    \
                                           llvm::SmallVectorImpl<mlir::Type> &types)

/// An op's inferReturnTypes and verifyOp from its `check(Adaptor, const Checker &)`.
#define CPQ_CHECKED_OP(Op)                                                                                             \
  CPQ_INFER(Op) {                                                                                                      \
    return checks::inferChecked<Op>(ctx, loc, operands, attrs, types,                                                  \
                                    [](Op::Adaptor &a, const checks::Checker &c) { return check(a, c); });            \
  }                                                                                                                    \
  mlir::LogicalResult cpq::dialect::verifyOp(Op op) {                                                                  \
    return checks::verifyChecked(op, [](Op::Adaptor &a, const checks::Checker &c) { return check(a, c); });           \
  }

/// In CPQ_INFER: the op's adaptor `a` and checker `c`, its attributes checked.
#define CPQ_ADAPT(Op)                                                                                                  \
  Op##Adaptor a(operands, attrs);                                                                                      \
  checks::Checker c(ctx, loc, Op::getOperationName());                                                                 \
  if (mlir::failed(c.attributes(a))) return mlir::failure()
