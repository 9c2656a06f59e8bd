//===- packed_weights.h - a trained weight in the layouts the products read -*- C++ -*-===//
//
// This file is the one place a trained float weight becomes the bytes a
// packed kernel or a model file holds. The weight is first quantized to
// integer levels with the reference quantizer (per tensor or per output
// channel), then laid out in one of three layouts:
//   rows     cpq.pack's layout: output o is one row of its K codes
//            (level - q_min) / q_step of b bits, little-endian, rows padded
//            to whole bytes (packed_reference.h); the plain contractions
//            read it
//   panels   the panel layout of qgemm.h (16 outputs a panel, blocks of
//            64 bytes; 1, 2, 4 or 8 stored bits a weight), what the
//            hand-written integer product reads
//   bit_rows 1-bit weights as rows of 64-bit words (bgemm.h), bit k of a
//            row the code of weight k, for AND and popcount
// Each comes with a description for people (model files record it) and
// the element count of the logical weight. The entropy-coded layouts of
// compressed models are to be added here.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "cpq/kernels/grid.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cpq {

/// The byte layouts of a packed weight.
enum class WeightLayout { Rows, Panels, BitRows };

/// "rows", "panels", "bit_rows": the names model files use.
const char *to_string(WeightLayout layout);
std::optional<WeightLayout> weight_layout_named(const std::string &name);

/// A weight (output channels first) quantized to integer levels of `grid`:
/// `levels[o * k + i]`.
struct WeightLevels {
  GridSpec grid{GridKind::Signed, 2};
  std::vector<std::int64_t> shape; ///< the float weight's shape, output channels first
  std::int64_t outputs = 0, k = 0; ///< rows and their length (the other axes flattened)
  std::vector<std::int32_t> levels;
};

/// The levels of `weights` (row-major, of `shape`) with scales `alpha`: one
/// per tensor or one per output channel. Throws std::invalid_argument for a
/// scale count that fits neither or a scale that is not positive and finite.
WeightLevels quantize_weight(GridSpec grid, const std::vector<float> &weights, const std::vector<float> &alpha,
                             const std::vector<std::int64_t> &shape);

/// A weight's bytes in one layout.
struct PackedWeight {
  WeightLayout layout = WeightLayout::Rows;
  std::vector<std::uint8_t> bytes;
  /// The shape of `bytes` as a tensor: [outputs, row bytes] for rows, a flat
  /// [size] otherwise.
  std::vector<std::int64_t> byte_shape;
  std::int64_t elements = 0; ///< weights it holds
  /// "signed 2-bit weight [64, 32, 5, 5]: panel layout of ... (4 panels ...)"
  std::string description;
};

/// Lays `w` out. Panels need a grid they store (not 8-bit unsigned or
/// symmetric); bit rows a 1-bit grid (code 1: the level above q_min).
/// Throws std::invalid_argument otherwise.
PackedWeight pack_weight(const WeightLevels &w, WeightLayout layout);

/// sum_i levels[o * k + i] for each output: what a product on int8
/// activations (codes x + 128) subtracts 128 times.
std::vector<std::int32_t> level_sums(const WeightLevels &w);

/// "signed 2-bit weight [64, 32, 5, 5]".
std::string weight_description(GridSpec grid, const std::vector<std::int64_t> &shape);

} // namespace cpq
