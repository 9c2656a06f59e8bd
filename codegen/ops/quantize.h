//===- quantize.h - Halide builder of the cpq.quantize op ---------*- C++ -*-===//
//
// This file declares the Halide algorithm of the CPQ quantizer
// (cpq-method.md sections 2-4) that generators and the code generator use for
// the `quantize` op: the forward (mode of the categorical over the surviving
// grid points) and the fused backward (dL/dx per element and the per-channel
// reductions dL/dalpha, dL/dsigma). Schedules live apart, in schedules/.
//
// Tensors are seen as [inner, channel, outer] (Halide dimension 0 first):
// alpha and sigma have one value per channel, so per-tensor quantization is
// channel extent 1.
//
// DropBits: the kernels take the tensor's level mask `keep` (LevelMask) of
// this step and handle every hierarchical mask (the survivors are then the
// 2^shift sub-grid). Independent masks and the learned gates of section 5 are
// not built yet: a non-hierarchical mask fails the pipeline's `require`.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "cpq/kernels/grid.h"

#include <Halide.h>

namespace cpq::codegen {

/// The pure variables of a quantized tensor.
struct TensorVars {
  Halide::Var i{"i"}, c{"c"}, n{"n"};
};

/// The surviving grid of a hierarchical mask, as run-time expressions.
struct SurvivorGeometry {
  Halide::Expr keep_ok;  ///< keep is a hierarchical (prefix) mask of this grid
  Halide::Expr step;     ///< 2^shift, the sub-grid's step in levels (float)
  Halide::Expr q_first;  ///< lowest surviving level (float)
  Halide::Expr q_last;   ///< highest surviving level (float)
  Halide::Expr count;    ///< number of surviving points (int)
  Halide::Expr t_first;  ///< lowest surviving point in units of alpha (float)
  Halide::Expr cell_t;   ///< distance between surviving points, units of alpha (float)
};

SurvivorGeometry hierarchical_survivors(GridSpec grid, const Halide::Expr &keep);

struct QuantizeForward {
  Halide::Func level;  ///< integer level q of the mode, as float
  Halide::Func x_hat;  ///< alpha * q (or alpha * q / 2 on the symmetric grid)
  Halide::Func code;   ///< (q - q_min) / q_step as uint8, what packing stores
};

/// Forward of section 2 on the survivors of `keep`, float32 in the order of
/// the scalar reference, so the results are bit-exact.
QuantizeForward build_quantize_forward(GridSpec grid, const TensorVars &v, const Halide::Func &x,
                                       const Halide::Func &alpha, const Halide::Expr &keep);

struct QuantizeBackward {
  QuantizeForward forward;
  /// Per element: Tuple(dL/dx, dL/dalpha contribution, dL/dsigma contribution).
  Halide::Func element;
  Halide::Func grad_x;
  /// Per channel, float64: Tuple(sum of dL/dalpha, sum of dL/dsigma) over
  /// inner and outer (RDom over_elements), and the two outputs reading it.
  Halide::Func channel_sums;
  Halide::RDom over_elements;
  Halide::Func grad_alpha, grad_sigma;
  /// The sum over edges near x, exposed for scheduling.
  Halide::Func edge_sums;
  Halide::RDom over_edges;
};

/// Fused backward of section 3 (the fast local form): visits the
/// 2 * edge_window edges around x (edge_window from
/// cpq::reference::required_edge_window; the pipeline requires it to be large
/// enough for every channel's sigma / alpha).
QuantizeBackward build_quantize_backward(GridSpec grid, const TensorVars &v, const Halide::Func &x,
                                         const Halide::Func &alpha, const Halide::Func &sigma,
                                         const Halide::Expr &keep, const Halide::Expr &edge_window,
                                         const Halide::Func &grad_out, const Halide::Expr &inner_extent,
                                         const Halide::Expr &outer_extent);

} // namespace cpq::codegen
