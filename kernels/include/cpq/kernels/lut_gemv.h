//===- lut_gemv.h - products straight from a codebook of <= 16 entries -*- C++ -*-===//
//
// y = W x where every weight is one of at most 16 shared float values (a
// compressed model's codebook, non-uniform: k-means, Hessian-weighted
// k-means, ECSQ centres) and W is stored as its 4-bit indices. The weights
// are never expanded in memory: the kernel looks each index up in the
// codebook held in one vector register (a 16-entry table lookup, vpermps on
// AVX-512) and multiplies by x, so a product reads half a byte per weight.
//
// Layout (LutMatrix): row-major, 128 indices per 64-byte chunk, each row
// padded to whole chunks. Byte b of a chunk holds index 2b in its low nibble
// and index 2b + 1 in its high nibble, so 32-bit word l of a chunk holds
// indices 8l .. 8l + 7, nibble q being index 8l + q.
//
// The order of the float operations is part of the contract, so every
// implementation gives the same bits: per row, 128 accumulators, one per
// position p of a chunk; accumulator p starts at +0 and takes
// fma(codebook[index j], x[j], acc) for j = p, p + 128, p + 256, ... < cols
// in turn. Then, with V_q[l] = acc[8l + q] (q = 0..7, l = 0..15):
// u_q = V_q + V_{q+4} (q < 4), w_0 = u_0 + u_2, w_1 = u_1 + u_3,
// a = w_0 + w_1, and the 16 lanes of a are summed pairwise: a[l] += a[l + 8],
// then a[l] += a[l + 4], a[l] += a[l + 2], and y = a[0] + a[1].
// lut_gemv_reference is that order written plainly.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace cpq {

/// Indices of a rows x cols matrix into a codebook of at most 16 floats.
struct LutMatrix {
  static constexpr std::int64_t kChunk = 128; ///< indices per 64-byte chunk
  std::int64_t rows = 0, cols = 0;
  std::int64_t row_bytes = 0;                 ///< bytes of a row: 64 per started chunk
  std::vector<std::uint8_t> codes;            ///< rows * row_bytes
  std::vector<float> codebook;                ///< 1..16 finite values

  /// Index (r, c).
  int index(std::int64_t r, std::int64_t c) const {
    const std::uint8_t b = codes[std::size_t(r * row_bytes + c / 2)];
    return c % 2 ? b >> 4 : b & 15;
  }

  /// The matrix of `indices` (rows x cols, row-major, each < codebook
  /// size); throws std::invalid_argument on a bad codebook or index.
  static LutMatrix from_indices(const std::uint8_t *indices, std::int64_t rows, std::int64_t cols,
                                std::vector<float> codebook) {
    if (codebook.empty() || codebook.size() > 16)
      throw std::invalid_argument("a lookup-table codebook has 1..16 entries, got " + std::to_string(codebook.size()));
    for (float v : codebook)
      if (!std::isfinite(v)) throw std::invalid_argument("a lookup-table codebook holds a value that is not finite");
    if (rows < 0 || cols < 0) throw std::invalid_argument("a lookup-table matrix has a negative size");
    LutMatrix m;
    m.rows = rows, m.cols = cols;
    m.row_bytes = (cols + kChunk - 1) / kChunk * (kChunk / 2);
    m.codes.assign(std::size_t(rows * m.row_bytes), 0);
    for (std::int64_t r = 0; r < rows; ++r)
      for (std::int64_t c = 0; c < cols; ++c) {
        const std::uint8_t i = indices[r * cols + c];
        if (i >= codebook.size())
          throw std::invalid_argument("index " + std::to_string(i) + " at (" + std::to_string(r) + ", " +
                                      std::to_string(c) + ") is outside a codebook of " +
                                      std::to_string(codebook.size()) + " entries");
        m.codes[std::size_t(r * m.row_bytes + c / 2)] |= std::uint8_t(c % 2 ? i << 4 : i);
      }
    m.codebook = std::move(codebook);
    return m;
  }
};

/// The contract's order, one row at a time: y[r] for r in [row_begin, row_end).
inline void lut_gemv_reference(const LutMatrix &w, const float *x, float *y, std::int64_t row_begin,
                               std::int64_t row_end) {
  for (std::int64_t r = row_begin; r < row_end; ++r) {
    float acc[LutMatrix::kChunk] = {};
    for (std::int64_t j = 0; j < w.cols; ++j)
      acc[j % LutMatrix::kChunk] = std::fma(w.codebook[std::size_t(w.index(r, j))], x[j], acc[j % LutMatrix::kChunk]);
    float a[16];
    for (int l = 0; l < 16; ++l) {
      const float *v = acc + 8 * l; // v[q] = V_q[l]
      const float u0 = v[0] + v[4], u1 = v[1] + v[5], u2 = v[2] + v[6], u3 = v[3] + v[7];
      a[l] = (u0 + u2) + (u1 + u3);
    }
    for (int half = 8; half >= 2; half /= 2)
      for (int l = 0; l < half; ++l) a[l] += a[l + half];
    y[r] = a[0] + a[1];
  }
}

enum class LutIsa { Portable, Avx512 };

/// The best implementation this CPU runs (CPUID at run time).
LutIsa lut_best_isa();
bool lut_supported(LutIsa isa);
const char *lut_isa_name(LutIsa isa);

/// y[r] = sum_j codebook[index(r, j)] x[j] for r in [row_begin, row_end), in
/// the contract's order, with the best implementation (threads split rows).
void lut_gemv(const LutMatrix &w, const float *x, float *y, std::int64_t row_begin, std::int64_t row_end);
/// The same with a chosen implementation; throws std::invalid_argument when
/// this CPU cannot run it.
void lut_gemv_with(LutIsa isa, const LutMatrix &w, const float *x, float *y, std::int64_t row_begin,
                   std::int64_t row_end);

namespace lut_detail {
/// The AVX-512 kernel over plain pointers (its file holds no inline library
/// code compiled for AVX-512 that the linker could pick for other files).
void gemv_avx512(const std::uint8_t *codes, std::int64_t row_bytes, std::int64_t cols, const float *codebook,
                 int entries, const float *x, float *y, std::int64_t row_begin, std::int64_t row_end);
} // namespace lut_detail

} // namespace cpq
