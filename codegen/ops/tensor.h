//===- tensor.h - a dialect tensor as a Halide Func ---------------*- C++ -*-===//
//
// This file declares how the op builders see a tensor of the cpq dialect: a
// Func whose arguments are the tensor's axes in Halide order (innermost, the
// last MLIR axis, first) and the MLIR-order shape as Exprs (the dynamic batch
// is an Expr read from an input buffer).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "schedules/stages.h"

#include <Halide.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace cpq::codegen {

struct TensorValue {
  Halide::Func f;
  std::vector<Halide::Expr> shape; ///< MLIR order: shape[0] is the batch
  Halide::Type type = Halide::Float(32);
  /// Stages the builder defined on the way (statistics, argmax): a schedule
  /// must compute them once, not inline them into every element.
  std::vector<Halide::Func> helpers = {};
  /// Set by the convolution and dense builders: the accumulator the result
  /// copies and the operands it reads in a vector-friendly layout.
  std::optional<schedules::ContractionLoops> contraction = std::nullopt;
  /// Set by the convolution filter gradient in the direct form.
  std::optional<schedules::ScheduleStage::FilterGradient> filter_gradient = std::nullopt;
  /// Set by the packed builders that call cpq_qgemm_u8.
  std::optional<schedules::ExternGemmLoops> extern_gemm = std::nullopt;
  /// An NCHW value best computed and stored with its channels innermost: it
  /// reads the extern product's (output, row) layout, or such a value.
  bool channels_last = false;
  /// Static innermost extents of helpers, by name (ScheduleStage::inner_extents).
  std::map<std::string, int64_t> helper_inner_extents = {};

  int rank() const { return static_cast<int>(shape.size()); }
  /// The value at an MLIR-order index.
  Halide::Expr at(const std::vector<Halide::Expr> &index) const {
    std::vector<Halide::Expr> halide(index.rbegin(), index.rend());
    return f(halide);
  }
  /// The MLIR-order extent of axis k.
  const Halide::Expr &dim(int k) const { return shape[static_cast<std::size_t>(k)]; }
};

/// A float64 constant (Halide has no implicit Expr from double).
inline Halide::Expr f64(double v) { return Halide::Internal::make_const(Halide::Float(64), v); }

/// Pure variables for a tensor of `rank` axes, MLIR order (v[0] the batch).
inline std::vector<Halide::Var> axis_vars(int rank, const std::string &prefix = "d") {
  std::vector<Halide::Var> v;
  for (int k = 0; k < rank; ++k) v.emplace_back(prefix + std::to_string(k));
  return v;
}

/// Halide-order argument list of MLIR-order variables.
inline std::vector<Halide::Expr> halide_args(const std::vector<Halide::Var> &mlir_order) {
  return std::vector<Halide::Expr>(mlir_order.rbegin(), mlir_order.rend());
}
inline std::vector<Halide::Var> halide_vars(const std::vector<Halide::Var> &mlir_order) {
  return std::vector<Halide::Var>(mlir_order.rbegin(), mlir_order.rend());
}

/// A new Func named `name` holding `value` over MLIR-order vars `v`.
inline TensorValue define(const std::string &name, const std::vector<Halide::Var> &v, const Halide::Expr &value,
                          std::vector<Halide::Expr> shape) {
  TensorValue t{Halide::Func(name), std::move(shape), value.type()};
  t.f(halide_vars(v)) = value;
  return t;
}

} // namespace cpq::codegen
