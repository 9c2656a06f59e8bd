//===- lowering.h - one function's lowering, shared by the family files -*- C++ -*-===//
//
// This file declares the state of one lowering (a cpq function becoming one
// Halide pipeline) and its pieces by op family, each in its own file:
//   lower.cpp      arguments, results, parameters, naming, the dispatch
//                  table (every op of the dialect, CPQ_FOR_EACH_OP)
//   layers.cpp     convolutions, dense layers, pooling, batch norm, the
//                  loss, element-wise ops, and their gradients
//   quantizer.cpp  the CPQ quantizer in evaluation and training form and
//                  its gradients (DropBits masks, hard-concrete gates)
//   optimizer.cpp  SGD and Adam updates
//   packed.cpp     the packed inference ops and the layouts of their weights
// Halide algorithms live in codegen/ops; attributes are read through the
// ODS-generated accessors. Internal to codegen/lower.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "codegen/lower/lower.h"
#include "codegen/ops/layers.h"
#include "codegen/ops/packed.h"
#include "codegen/ops/quantize.h"
#include "cpq/dialect/CpqDialect.h"
#include "cpq/runtime/kernel_helpers.h"

#include "mlir/Dialect/StandardOps/IR/Ops.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinOps.h"

#include "llvm/ADT/DenseMap.h"

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace cpq::codegen::lowering {

namespace cd = cpq::dialect;

Halide::Type halide_type(mlir::Type t);
/// The element type of a tensor value.
Halide::Type element_type(mlir::Value v);
/// MLIR-order shape; -1 for the dynamic batch.
std::vector<int64_t> shape_of(mlir::Type t);
/// A [height, width] attribute.
std::pair<int, int> pair_of(mlir::ArrayAttr a);
/// The float values of a parameter with a bound value (a splat repeated).
std::optional<std::vector<float>> bound_values(mlir::Value v);

template <class Op> GridSpec grid_of(Op op) { return make_grid(cd::toKernel(op.grid()), int(op.bits())); }

template <class Op> Window2d conv_window(Op op) {
  Window2d w;
  std::tie(w.sh, w.sw) = pair_of(op.stride());
  std::tie(w.ph, w.pw) = pair_of(op.padding());
  return w;
}

template <class Op> Window2d pool_window(Op op) {
  Window2d w;
  std::tie(w.kh, w.kw) = pair_of(op.kernel());
  std::tie(w.sh, w.sw) = op.stride() ? pair_of(*op.stride()) : std::pair<int, int>{w.kh, w.kw};
  std::tie(w.ph, w.pw) = pair_of(op.padding());
  return w;
}

/// The max-pool gradient that quantizer gradient `q` reads, when the two
/// fuse: the pool's windows tile its input (stride = kernel, no padding) and
/// the quantizer's channels are not the pooled axes. Only one input a window
/// then has a nonzero output gradient, and the quantizer's backward runs at
/// those inputs alone (a quarter of them under 2x2 windows). Null otherwise.
cd::MaxPool2dGradOp fused_pool_grad(cd::QuantizeGradOp q);
/// Whether every user of `p` fuses it: it is then not lowered at all.
bool fused_away(cd::MaxPool2dGradOp p);

/// A quantizer op's options.
struct QuantizerAttrs {
  GridSpec grid;
  int axis = -1;            ///< -1: per tensor
  double dropbits_p = 0;
  bool independent = false; ///< DropBits on, with independent masks
  int tensor_id = 0;
  double gate_lambda = 0;
};

class Lowering {
public:
  Lowering(mlir::FuncOp func, const LoweringOptions &options) : func(func), options(options) {}
  std::optional<LoweredFunction> run();

  // The ops: each defined in its family's file.
#define CPQ_DECLARE_LOWER(Op) mlir::LogicalResult lower(cd::Op op, const std::string &name);
  CPQ_FOR_EACH_OP(CPQ_DECLARE_LOWER)
#undef CPQ_DECLARE_LOWER

private:
  // --- lower.cpp: arguments, results, values, stages, names ---------------
  /// The table: an op to its family's lowering.
  mlir::LogicalResult lower(mlir::Operation *op);
  std::string unique(const std::string &base);
  std::string argument_name(const std::string &what, const std::string &id);
  std::string argument_name(const std::string &tensor);
  void reserve_argument_names();
  static std::string attr_string(mlir::DictionaryAttr attrs, llvm::StringRef key, const std::string &fallback);
  void constrain(Halide::ImageParam &im, const std::vector<int64_t> &shape, std::vector<Halide::Expr> &extents);
  void add_argument(unsigned i);
  void add_results(mlir::ReturnOp ret);
  const TensorValue &tensor(mlir::Value v);
  LoweredStage *contraction_returned_alone(mlir::Value value, const TensorValue &v);
  Halide::Expr scalar(mlir::Value v);
  /// An optimizer update's learning rate (its lr times its lr_scale).
  template <class Op> Halide::Expr lr(Op op);
  /// A stage of the op just lowered: its results, and the helper stages of
  /// the values it set.
  void record(const std::string &family, std::vector<Halide::Func> funcs, std::vector<Halide::Func> helpers = {},
              std::optional<schedules::QuantizeLoops> quantize = std::nullopt);
  void set(mlir::Value v, const TensorValue &t);
  /// One result `t` of family `family`, recorded with its loops.
  mlir::LogicalResult unary(mlir::Value result, const std::string &family, const TensorValue &t);
  /// Records a helper C function the pipeline calls (once).
  void need_extern(const runtime::helpers::Helper &h);
  /// The ImageParam of input `in` (name, type and shape set; its extents
  /// constrained) and the value that reads it.
  TensorValue input_buffer(LoweredInput &in);
  /// A packed model's input `base` (a kernel argument of role param) whose
  /// values `t` (name aside) go to the model file.
  TensorValue model_input(const std::string &base, Halide::Type type, runtime::ModelFileTensor t);
  /// The network's name and role of `v`: a function argument's cpq.name and
  /// cpq.role, or a cpq.param's name; empty for other values.
  std::pair<std::string, std::string> source_of(mlir::Value v);
  /// Whether only cpq.pack ops of bound values read the parameter.
  static bool only_packed(cd::ParamOp p);

  // --- quantizer.cpp -------------------------------------------------------
  static QuantizerAttrs attrs_of(cd::QuantizeOp q);
  static QuantizerAttrs attrs_of(cd::QuantizeTrainOp q);
  static QuantizerAttrs attrs_of(cd::QuantizeGradOp q);
  void record_quantizer(const QuantizerAttrs &q, mlir::Value input, mlir::Value alpha, mlir::Value gates);
  Halide::Expr mask(const QuantizerAttrs &q, mlir::Value seed, mlir::Value step);
  GateInputs gates_of(const QuantizerAttrs &q, const std::string &name, mlir::Value logits, mlir::Value seed,
                      mlir::Value step);
  mlir::LogicalResult lower_quantize(const QuantizerAttrs &q, const std::string &name, mlir::Value input,
                                     mlir::Value alpha, mlir::Value gates, mlir::Value result, mlir::Value seed,
                                     mlir::Value step);

  // --- packed.cpp ----------------------------------------------------------
  Halide::Buffer<uint8_t> constant_bytes(const std::vector<std::uint8_t> &bytes, const std::string &base);
  const PanelSource *panels_for(mlir::Value packed, mlir::Value input);
  bool qgemm_can_take(cd::PackOp p, GridSpec grid) const;
  std::optional<GridKind> binary_products(cd::PackOp p, GridSpec grid) const;
  void uses_extern_product(const PanelSource &w);

  mlir::FuncOp func;
  LoweringOptions options;
  LoweredFunction out;
  llvm::DenseMap<mlir::Value, TensorValue> values;
  llvm::DenseMap<mlir::Value, Halide::Param<>> scalars;
  llvm::DenseMap<mlir::Value, std::shared_ptr<PanelSource>> panel_sources; ///< packed weights for the extern products
  std::set<std::string> used, reserved;
  std::map<std::string, std::string> argument_of; ///< argument C name -> what it is, for messages
  std::vector<Halide::Func> pending_helpers;
  Halide::Expr batch;
  int counter = 0;
};

} // namespace cpq::codegen::lowering
