//===- bgemm.h - binary GEMM by AND and popcount -----------------*- C++ -*-===//
//
// This file declares the product of 1-bit activations and 1-bit weights:
//
//   P[m, n] = sum_k a[m, k] * w[n, k] = popcount(a_row(m) AND w_row(n))
//
// with a and w bits (0/1), both held as *bit rows*: row r's k bits in 64-bit
// words, bit i in word i / 64 at position i % 64, each row padded with zero
// bits to a whole number of 512-bit blocks (8 words). From P and the row
// popcounts the products of the 1-bit grids follow: a weight level
// q = q_min + q_step * bit and an activation code a in {0, 1} (an unsigned
// 1-bit grid after ReLU) give
//
//   sum_k a * q = q_step * P + q_min * popcount(a_row)
//
// (symmetric 1-bit weights, +-1: 2 P - popcount(a)); two symmetric operands
// (+-1 each) give K - 2 popcount(a XOR w) = 4 P - 2 popcount(a) -
// 2 popcount(w) + K. Implementations: AVX-512 VPOPCNTDQ (vpandq, vpopcntq on
// 512 bits, 4 x 4 register tiles) and a portable loop (64-bit popcount),
// chosen at run time; each callable by name for tests.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstdint>
#include <vector>

namespace cpq {

/// Words per bit row of k bits: whole 512-bit blocks.
inline std::int64_t bit_row_words(std::int64_t k) { return (k + 511) / 512 * 8; }

/// Bit rows, not owned (as a kernel's buffer holds them).
struct BitRowsView {
  std::int64_t rows = 0, k = 0, words = 0; ///< words per row: bit_row_words(k)
  const std::uint64_t *bits = nullptr;      ///< rows * words
  const std::uint64_t *row(std::int64_t r) const { return bits + r * words; }
};

struct BitRows {
  std::int64_t rows = 0, k = 0, words = 0; ///< words per row: bit_row_words(k)
  std::vector<std::uint64_t> bits;          ///< rows * words
  const std::uint64_t *row(std::int64_t r) const { return bits.data() + r * words; }
  operator BitRowsView() const { return {rows, k, words, bits.data()}; }
};

/// Bit rows of a rows x k matrix of 0/1 values (any nonzero byte is 1),
/// row stride ld. Throws std::invalid_argument for rows or k < 1.
BitRows to_bit_rows(const std::uint8_t *values, std::int64_t rows, std::int64_t k, std::int64_t ld);

/// The same into `bits` (rows * bit_row_words(k) words, written whole,
/// padding zero): the extern stage's packing of activations, 64 values per
/// instruction with AVX-512, eight per step otherwise. The bit of a byte is
/// `byte != 0` (codes 0/1 of a 1-bit unsigned grid), or with `positive`
/// `int8(byte) > 0` (levels -1/+1 of the 1-bit symmetric grid).
void pack_bit_rows(const std::uint8_t *values, std::int64_t rows, std::int64_t k, std::int64_t ld,
                   std::uint64_t *bits, bool positive = false);

enum class BgemmIsa;
/// The same with a given implementation (tests).
void pack_bit_rows_with(BgemmIsa isa, const std::uint8_t *values, std::int64_t rows, std::int64_t k,
                        std::int64_t ld, std::uint64_t *bits, bool positive);

/// popcount of each row.
void bit_row_counts(const BitRowsView &a, std::int32_t *counts);

enum class BgemmIsa { Portable, Avx512Vpopcntdq };


/// P[m, n] for all rows of `a` and weight rows [n0, n1), into c (row
/// stride ldc). Throws std::invalid_argument on different k or a bad range.
void bgemm_and_popcount(const BitRowsView &a, const BitRowsView &w, std::int32_t *c, std::int64_t ldc,
                        std::int64_t n0, std::int64_t n1);
void bgemm_and_popcount_with(BgemmIsa isa, const BitRowsView &a, const BitRowsView &w, std::int32_t *c,
                             std::int64_t ldc, std::int64_t n0, std::int64_t n1);
BgemmIsa bgemm_best_isa();
bool bgemm_supported(BgemmIsa isa);
const char *bgemm_isa_name(BgemmIsa isa);

namespace bgemm_detail {
void and_popcount_avx512(const BitRowsView &a, const BitRowsView &w, std::int32_t *c, std::int64_t ldc,
                         std::int64_t n0, std::int64_t n1);
void pack_bit_rows_avx512(const std::uint8_t *values, std::int64_t rows, std::int64_t k, std::int64_t ld,
                          std::uint64_t *bits, bool positive);
}

} // namespace cpq
