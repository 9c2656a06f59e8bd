//===- packed_weights.cpp - a trained weight in the layouts the products read -===//
#include "cpq/kernels/packed_weights.h"

#include "cpq/kernels/bgemm.h"
#include "cpq/kernels/packed_reference.h"
#include "cpq/kernels/qgemm.h"
#include "cpq/kernels/quantizer_reference.h"

#include <stdexcept>

namespace cpq {

const char *to_string(WeightLayout layout) {
  switch (layout) {
  case WeightLayout::Rows: return "rows";
  case WeightLayout::Panels: return "panels";
  case WeightLayout::BitRows: return "bit_rows";
  }
  return "?";
}

std::optional<WeightLayout> weight_layout_named(const std::string &name) {
  for (WeightLayout l : {WeightLayout::Rows, WeightLayout::Panels, WeightLayout::BitRows})
    if (name == to_string(l)) return l;
  return std::nullopt;
}

std::string weight_description(GridSpec grid, const std::vector<std::int64_t> &shape) {
  std::string dims;
  for (std::int64_t d : shape) dims += (dims.empty() ? "" : ", ") + std::to_string(d);
  return std::string(to_string(grid.kind)) + " " + std::to_string(grid.bits) + "-bit weight [" + dims + "]";
}

WeightLevels quantize_weight(GridSpec grid, const std::vector<float> &weights, const std::vector<float> &alpha,
                             const std::vector<std::int64_t> &shape) {
  WeightLevels w;
  w.grid = grid, w.shape = shape;
  std::int64_t count = 1;
  for (std::int64_t d : shape) count *= d;
  if (shape.empty() || shape[0] < 1 || count != std::int64_t(weights.size()))
    throw std::invalid_argument("a weight of shape " + weight_description(grid, shape) + " needs " +
                                std::to_string(count) + " values, got " + std::to_string(weights.size()));
  w.outputs = shape[0], w.k = count / shape[0];
  if (alpha.size() != 1 && std::int64_t(alpha.size()) != w.outputs)
    throw std::invalid_argument("alpha must have 1 or " + std::to_string(w.outputs) + " values");
  reference::check_scales("alpha", alpha.data(), alpha.size());
  w.levels.resize(weights.size());
  for (std::size_t i = 0; i < weights.size(); ++i)
    w.levels[i] = reference::quantize_level(grid, weights[i], alpha[alpha.size() == 1 ? 0 : i / std::size_t(w.k)]);
  return w;
}

std::vector<std::int32_t> level_sums(const WeightLevels &w) {
  std::vector<std::int32_t> s(static_cast<std::size_t>(w.outputs), 0);
  for (std::int64_t o = 0; o < w.outputs; ++o)
    for (std::int64_t i = 0; i < w.k; ++i) s[std::size_t(o)] += w.levels[std::size_t(o * w.k + i)];
  return s;
}

PackedWeight pack_weight(const WeightLevels &w, WeightLayout layout) {
  const GridSpec g = w.grid;
  PackedWeight p;
  p.layout = layout;
  p.elements = std::int64_t(w.levels.size());
  const std::string what = weight_description(g, w.shape);
  switch (layout) {
  case WeightLayout::Rows: {
    const std::int64_t row_bytes = reference::packed_row_bytes(w.k, g.bits);
    p.bytes = reference::pack_weight_levels(g, w.levels.data(), w.outputs, w.k);
    p.byte_shape = {w.outputs, row_bytes};
    p.description = what + ": row o holds its " + std::to_string(w.k) + " codes (level - " + std::to_string(g.q_min()) +
                    ") / " + std::to_string(g.q_step()) + " of " + std::to_string(g.bits) + " bits, code k at bits [k*" +
                    std::to_string(g.bits) + ", (k+1)*" + std::to_string(g.bits) +
                    ") from the least significant bit of byte 0, rows padded to " + std::to_string(row_bytes) + " bytes";
    break;
  }
  case WeightLayout::Panels: {
    PanelWeights pw = to_panels(g, w.levels.data(), w.outputs, w.k);
    p.bytes = std::move(pw.bytes);
    p.byte_shape = {std::int64_t(p.bytes.size())};
    p.description = what + ": panel layout of cpq/kernels/qgemm.h (" + std::to_string(pw.panels) +
                    " panels of 16 outputs x " + std::to_string(pw.blocks) + " blocks of " + std::to_string(pw.kb()) +
                    " values, 64 bytes each)";
    break;
  }
  case WeightLayout::BitRows: {
    if (g.bits != 1) throw std::invalid_argument("bit rows hold 1-bit weights, not " + what);
    std::vector<std::uint8_t> codes(w.levels.size());
    for (std::size_t i = 0; i < w.levels.size(); ++i) codes[i] = std::uint8_t(w.levels[i] != g.q_min());
    const BitRows rows = to_bit_rows(codes.data(), w.outputs, w.k, w.k);
    p.bytes.resize(rows.bits.size() * 8);
    for (std::size_t i = 0; i < rows.bits.size(); ++i)
      for (int b = 0; b < 8; ++b) p.bytes[8 * i + std::size_t(b)] = std::uint8_t(rows.bits[i] >> (8 * b));
    p.byte_shape = {std::int64_t(p.bytes.size())};
    p.description = what + ": bit rows of cpq/kernels/bgemm.h (" + std::to_string(w.outputs) + " rows of " +
                    std::to_string(rows.words) + " little-endian 64-bit words, bit k of a row the code of weight k)";
    break;
  }
  }
  return p;
}

} // namespace cpq
