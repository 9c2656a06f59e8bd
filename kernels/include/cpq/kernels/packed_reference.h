//===- packed_reference.h - scalar reference of the packed inference ops --===//
//
// The plain form of what `--cpq-freeze` produces and the packed kernels must
// compute bit for bit: `cpq.qdense` and `cpq.qconv2d` (integer activation
// levels times weight levels unpacked from `cpq.pack`'s layout, int32 sums)
// and `cpq.requantize` (the sums to the next quantizer's levels, or to float
// logits).
//
// Requantization is defined so that it has exactly one correct answer on any
// machine, with or without fused multiply-add contraction: the project's
// choice, stated here and in the op's description.
//   level = clamp(floor(acc * m + c), lo, hi)            (signed, unsigned grids)
//   level = clamp(2 * floor(acc * m + c) + 1, lo, hi)    (symmetric grids)
// with m = scale / next_alpha rounded to float32 (24 significant bits),
// c = bias / next_alpha (+ 0.5 on signed and unsigned grids) in float64, and
// the arithmetic in float64. While |acc| < 2^29, acc * m is exact in float64
// (29 + 24 bits), so `acc * m + c` is rounded once whether or not it is
// contracted into an FMA; `accumulator_is_exact` checks the bound from the
// layer's shape and bit-widths. `relu` raises the lower clamp to the level
// of 0 (max(y, 0) before encoding is the same thing). Float outputs (logits)
// are float(acc * double(scale) + double(bias)), exact by the same argument.
//
//===----------------------------------------------------------------------===//
#ifndef CPQ_KERNELS_PACKED_REFERENCE_H
#define CPQ_KERNELS_PACKED_REFERENCE_H

#include "cpq/kernels/grid.h"
#include "cpq/kernels/pack.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace cpq::reference {

/// Largest |accumulator| for which requantization is contraction-proof.
inline constexpr std::int64_t kExactAccumulator = std::int64_t(1) << 29;

/// Largest |level| of a grid.
constexpr std::int64_t max_abs_level(GridSpec g) {
  const std::int64_t lo = g.q_min() < 0 ? -std::int64_t(g.q_min()) : std::int64_t(g.q_min());
  const std::int64_t hi = g.q_max() < 0 ? -std::int64_t(g.q_max()) : std::int64_t(g.q_max());
  return lo > hi ? lo : hi;
}

/// Whether every int32 sum of `k` products of activation levels on `x` and
/// weight levels on `w` stays below kExactAccumulator in magnitude.
constexpr bool accumulator_is_exact(std::int64_t k, GridSpec x, GridSpec w) {
  return k * max_abs_level(x) * max_abs_level(w) < kExactAccumulator;
}

/// Bytes of one packed weight row of k codes (cpq.pack: rows padded to whole
/// bytes).
constexpr std::int64_t packed_row_bytes(std::int64_t k, int bits) { return (k * bits + 7) / 8; }

/// The k integer levels of one row in cpq.pack's layout.
inline void unpack_weight_levels(GridSpec w, const std::uint8_t *row, std::int64_t k, std::int32_t *levels) {
  std::vector<std::uint8_t> codes(static_cast<std::size_t>(k));
  unpack_codes_reference(row, static_cast<std::size_t>(k), w.bits, codes.data());
  for (std::int64_t i = 0; i < k; ++i) levels[i] = w.level_of_code(codes[static_cast<std::size_t>(i)]);
}

/// Packs a tensor of weight levels [rows x k] into cpq.pack's layout.
inline std::vector<std::uint8_t> pack_weight_levels(GridSpec w, const std::int32_t *levels, std::int64_t rows,
                                                    std::int64_t k) {
  const std::int64_t row_bytes = packed_row_bytes(k, w.bits);
  std::vector<std::uint8_t> out(static_cast<std::size_t>(rows * row_bytes));
  std::vector<std::uint8_t> codes(static_cast<std::size_t>(k));
  for (std::int64_t r = 0; r < rows; ++r) {
    for (std::int64_t i = 0; i < k; ++i) {
      const std::int32_t q = levels[r * k + i];
      if (q < w.q_min() || q > w.q_max() || (q - w.q_min()) % w.q_step())
        throw std::invalid_argument("pack_weight_levels: level " + std::to_string(q) + " is not on the " + w.name() +
                                    " grid");
      codes[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(w.code_of_level(q));
    }
    pack_codes_reference(codes.data(), static_cast<std::size_t>(k), w.bits, out.data() + r * row_bytes);
  }
  return out;
}

/// cpq.qdense: acc[n, o] = sum_i x[n, i] * q_w[o, i]; x holds activation
/// levels (uint8 or int8), `packed` is O rows of cpq.pack's layout.
template <class Level>
std::vector<std::int32_t> qdense(GridSpec w, const Level *x, const std::uint8_t *packed, std::int64_t n,
                                 std::int64_t k, std::int64_t o) {
  std::vector<std::int32_t> acc(static_cast<std::size_t>(n * o));
  std::vector<std::int32_t> row(static_cast<std::size_t>(k));
  const std::int64_t row_bytes = packed_row_bytes(k, w.bits);
  for (std::int64_t r = 0; r < o; ++r) {
    unpack_weight_levels(w, packed + r * row_bytes, k, row.data());
    for (std::int64_t b = 0; b < n; ++b) {
      std::int64_t s = 0;
      for (std::int64_t i = 0; i < k; ++i) s += std::int64_t(x[b * k + i]) * row[static_cast<std::size_t>(i)];
      acc[static_cast<std::size_t>(b * o + r)] = static_cast<std::int32_t>(s);
    }
  }
  return acc;
}

/// Shape of a cpq.qconv2d: NCHW levels, O filters of (C / groups) x KH x KW
/// levels, each filter one packed row in (c, kh, kw) order.
struct QConvShape {
  std::int64_t n, c, h, w, o, kh, kw;
  std::int64_t sh = 1, sw = 1, ph = 0, pw = 0, groups = 1;
  std::int64_t out_h() const { return (h + 2 * ph - kh) / sh + 1; }
  std::int64_t out_w() const { return (w + 2 * pw - kw) / sw + 1; }
  std::int64_t row_length() const { return (c / groups) * kh * kw; }
};

/// cpq.qconv2d: acc[n, o, i, j] = sum over the window of x * q_w, padding
/// contributing level 0.
template <class Level>
std::vector<std::int32_t> qconv2d(GridSpec w, const Level *x, const std::uint8_t *packed, const QConvShape &s) {
  if (s.groups < 1 || s.c % s.groups || s.o % s.groups)
    throw std::invalid_argument("qconv2d: channels and filters must divide into the groups");
  const std::int64_t OH = s.out_h(), OW = s.out_w(), K = s.row_length(), Cg = s.c / s.groups, Og = s.o / s.groups;
  if (OH < 1 || OW < 1) throw std::invalid_argument("qconv2d: the window is larger than the padded input");
  std::vector<std::int32_t> acc(static_cast<std::size_t>(s.n * s.o * OH * OW));
  std::vector<std::int32_t> filter(static_cast<std::size_t>(K));
  const std::int64_t row_bytes = packed_row_bytes(K, w.bits);
  for (std::int64_t f = 0; f < s.o; ++f) {
    unpack_weight_levels(w, packed + f * row_bytes, K, filter.data());
    const std::int64_t c0 = (f / Og) * Cg;
    for (std::int64_t b = 0; b < s.n; ++b)
      for (std::int64_t i = 0; i < OH; ++i)
        for (std::int64_t j = 0; j < OW; ++j) {
          std::int64_t sum = 0;
          for (std::int64_t c = 0; c < Cg; ++c)
            for (std::int64_t u = 0; u < s.kh; ++u)
              for (std::int64_t v = 0; v < s.kw; ++v) {
                const std::int64_t y = i * s.sh + u - s.ph, xx = j * s.sw + v - s.pw;
                if (y < 0 || y >= s.h || xx < 0 || xx >= s.w) continue;
                sum += std::int64_t(x[((b * s.c + c0 + c) * s.h + y) * s.w + xx]) *
                       filter[static_cast<std::size_t>((c * s.kh + u) * s.kw + v)];
              }
          acc[static_cast<std::size_t>(((b * s.o + f) * OH + i) * OW + j)] = static_cast<std::int32_t>(sum);
        }
  }
  return acc;
}

/// One channel of cpq.requantize onto a grid of levels, in the exact form of
/// the file comment.
struct RequantizeToLevels {
  double m = 0;      ///< scale / next_alpha, rounded to float32
  double c = 0;      ///< bias / next_alpha (+ 0.5 off symmetric grids)
  std::int32_t lo = 0, hi = 0;
  bool symmetric = false;

  static RequantizeToLevels make(float scale, float bias, float next_alpha, GridSpec next, bool relu) {
    if (!(next_alpha > 0.0f) || !std::isfinite(next_alpha))
      throw std::invalid_argument("requantize: the next quantizer's alpha must be positive and finite");
    if (!std::isfinite(scale) || !std::isfinite(bias))
      throw std::invalid_argument("requantize: scale and bias must be finite");
    RequantizeToLevels r;
    r.symmetric = next.kind == GridKind::Symmetric;
    r.m = double(float(double(scale) / double(next_alpha)));
    r.c = double(bias) / double(next_alpha) + (r.symmetric ? 0.0 : 0.5);
    if (!std::isfinite(r.m) || !std::isfinite(r.c))
      throw std::invalid_argument("requantize: scale / next_alpha or bias / next_alpha overflows");
    r.lo = next.q_min(), r.hi = next.q_max();
    // max(y, 0) then encode: the level of 0 is 0 (1 on symmetric grids).
    if (relu) r.lo = std::max(r.lo, r.symmetric ? 1 : 0);
    return r;
  }

  std::int32_t operator()(std::int32_t acc) const {
    const double t = std::floor(double(acc) * m + c);
    const double level = symmetric ? 2.0 * t + 1.0 : t;
    // Clamped in double: t can lie far outside int32 for a large scale.
    return static_cast<std::int32_t>(std::fmin(std::fmax(level, double(lo)), double(hi)));
  }
};

/// One channel of cpq.requantize to float32 (no next quantizer: logits).
struct RequantizeToFloat {
  double scale = 0, bias = 0;
  bool relu = false;

  static RequantizeToFloat make(float scale, float bias, bool relu) {
    if (!std::isfinite(scale) || !std::isfinite(bias))
      throw std::invalid_argument("requantize: scale and bias must be finite");
    return {double(scale), double(bias), relu};
  }

  float operator()(std::int32_t acc) const {
    const float y = static_cast<float>(double(acc) * scale + bias);
    return relu ? std::fmax(y, 0.0f) : y;
  }
};

} // namespace cpq::reference

#endif // CPQ_KERNELS_PACKED_REFERENCE_H
