//===- packed.h - Halide builders of the packed inference ops -----*- C++ -*-===//
//
// This file declares the Halide algorithm of the ops `--cpq-freeze` emits:
// `cpq.encode`, `cpq.decode`, `cpq.pack`, `cpq.qdense`, `cpq.qconv2d` and
// `cpq.requantize`, with the formulas of docs/dialect/CpqOps.md and of the
// scalar reference (cpq/kernels/packed_reference.h), which they match bit
// for bit. Weights arrive in cpq.pack's row layout (K codes of b bits per
// output channel, little-endian, rows padded to bytes) and are unpacked to
// integer levels once per call; the sums are int32 contractions scheduled
// like the float layers. That is the exact baseline; the fast form
// (qgemm_dense, qgemm_conv2d) takes weights the code generator put in the
// panel layout at compile time (cpq/kernels/qgemm.h) and calls the
// hand-written integer product cpq_qgemm_u8 as an extern stage, convolutions
// through an im2col copy of their unsigned 8-bit input; binary layers (1-bit
// weights, inputs of a 1-bit unsigned or symmetric grid) call cpq_bgemm_b1.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "codegen/ops/layers.h"
#include "cpq/kernels/grid.h"
#include "cpq/kernels/qgemm.h"

#include <optional>
#include <string>

namespace cpq::codegen {

/// cpq.encode: x (float32) to its levels on `grid` with a per-tensor alpha,
/// in the quantizer's float32 order; `levels` is UInt(8) or Int(8).
TensorValue encode(const std::string &name, const TensorValue &x, const TensorValue &alpha, GridSpec grid,
                   Halide::Type levels);

/// cpq.decode: alpha * q (alpha * q / 2 on symmetric grids), float32.
TensorValue decode(const std::string &name, const TensorValue &q, const TensorValue &alpha, GridSpec grid);

/// cpq.pack: a float weight (output channels first) to O x ceil(K b / 8)
/// bytes; alpha per tensor or per output channel.
TensorValue pack(const std::string &name, const TensorValue &w, const TensorValue &alpha, GridSpec grid);

/// The integer level of code k of packed row o (Halide order: packed(byte, o)).
Halide::Expr packed_level(const Halide::Func &packed, GridSpec grid, const Halide::Expr &k, const Halide::Expr &o,
                          int64_t row_bytes);

/// cpq.qdense: x (N x K levels) times the packed weight (O rows), int32.
TensorValue qdense(const std::string &name, const TensorValue &x, const TensorValue &packed, GridSpec grid);

/// cpq.qconv2d: x (NCHW levels) with packed filters of win.kh x win.kw
/// (rows in (c, kh, kw) order), int32; padding contributes level 0.
TensorValue qconv2d(const std::string &name, const TensorValue &x, const TensorValue &packed, GridSpec grid,
                    Window2d win, int groups);

/// Weights in the panel layout for the extern product: their grid and shape
/// (`layout`, bytes not used) and the bytes, compiled in or a kernel input.
/// `binary`: 1-bit weights as bit rows (cpq/kernels/bgemm.h) for inputs
/// known to hold 1-bit activations of grid `activations` (unsigned: codes
/// 0/1 as uint8; symmetric: levels -1/+1 as int8), multiplied by
/// cpq_bgemm_b1 (AND and popcount).
struct PanelSource {
  PanelView layout;
  Halide::ExternFuncArgument bytes;
  bool binary = false;
  GridKind activations = GridKind::Unsigned;
  /// For int8 activations on qgemm: sum_k level(o, k) per output (int32),
  /// set when some product reads int8 levels. Their codes x + 128 go to the
  /// unsigned product, and 128 * level_sums(o) is subtracted from it.
  std::optional<Halide::Func> level_sums = std::nullopt;
  /// Whether the product takes activations of type `t`.
  bool takes(Halide::Type t) const {
    if (binary) return t == (activations == GridKind::Symmetric ? Halide::Int(8) : Halide::UInt(8));
    return t == Halide::UInt(8) || (t == Halide::Int(8) && level_sums);
  }
};

/// cpq.qdense by the extern stage cpq_qgemm_u8: x (N x K, uint8, or int8
/// levels shifted by 128 on the way in and corrected by the weights' level
/// sums) times weights in the panel layout. Row r of the extern's output is
/// image r.
TensorValue qgemm_dense(const std::string &name, const TensorValue &x, const PanelSource &w);

/// cpq.qconv2d (one group) the same way: an im2col copy of x (rows: image,
/// output row, output column; columns: channel, kernel row, kernel column,
/// the packed rows' order) times the weights; padding contributes level 0.
TensorValue qgemm_conv2d(const std::string &name, const TensorValue &x, const PanelSource &w, Window2d win);

/// cpq.requantize: int32 sums (channels on axis 1) to the next quantizer's
/// levels (`next` set, result type `out`) or to float32 (the logits), in the
/// contraction-proof float64 form of packed_reference.h. The per-channel
/// factors are helper stages of the result.
TensorValue requantize(const std::string &name, const TensorValue &acc, const TensorValue &scale,
                       const TensorValue &bias, const TensorValue *next_alpha, bool relu, std::optional<GridSpec> next,
                       Halide::Type out);

} // namespace cpq::codegen
