//===- quantize_tensor.h - the quantizer on tensors of any rank ---*- C++ -*-===//
//
// This file declares the Halide pieces that put the quantizer of
// codegen/ops/quantize.h (which sees [inner, channel, outer]) on a dialect
// tensor of any rank: the 3-D view of a tensor around its per-channel axis
// and back, and the gradient of the learned gates' L0 regulariser (the
// expected extra bits of cpq-method.md section 5), which does not depend on
// the data.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "codegen/ops/quantize.h"
#include "codegen/ops/tensor.h"

#include <Halide.h>

#include <string>
#include <vector>

namespace cpq::codegen {

/// A tensor as the quantizer sees it, [inner, channel, outer]: the axes after
/// the per-channel axis flattened (row-major), the channel, the axes before
/// it (per tensor: channel extent 1, outer = the batch axis).
struct QuantizerView {
  int axis = -1; ///< -1: per tensor
  std::vector<int> inner_axes, outer_axes;
  Halide::Expr inner_extent, outer_extent;
  /// The innermost axis' extent when the inner dimension flattens two or
  /// more axes (an activation's C x H x W), else 0: the schedules split the
  /// element loops by it so that a vector stays within one row and reads
  /// the tensor contiguously (across rows the view's div and mod make
  /// gathers).
  int row = 0;
};

/// The view of `x` quantized along `axis` (-1: per tensor).
QuantizerView quantizer_view(const TensorValue &x, int axis);

/// x as a 3-D Func (i, c, n) in the view.
Halide::Func view_3d(const TensorValue &x, const QuantizerView &q, const TensorVars &v, const std::string &name);

/// A 3-D result of the quantizer back in x's shape.
TensorValue from_3d(const Halide::Func &f3, const TensorValue &x, const QuantizerView &q, const std::string &name);

/// lambda * n * d(expected extra bits)/dlog_a_k (cpq::expected_extra_bits),
/// float64, for gate index k (level k + 2) of a `bits`-bit quantizer whose
/// gate logits are `log_a`(k) and whose tensor has `elements` elements.
Halide::Expr gate_regulariser_grad(int bits, double lambda, const Halide::Func &log_a, const Halide::Expr &elements,
                                   const Halide::Var &k);

} // namespace cpq::codegen
