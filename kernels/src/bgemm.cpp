//===- bgemm.cpp - bit rows, portable binary GEMM and dispatch --------------===//
#include "cpq/kernels/bgemm.h"

#include <cstring>
#include <stdexcept>
#include <string>

namespace cpq {

BitRows to_bit_rows(const std::uint8_t *values, std::int64_t rows, std::int64_t k, std::int64_t ld) {
  if (rows < 1 || k < 1 || ld < k) throw std::invalid_argument("bit rows need rows >= 1, k >= 1 and ld >= k");
  BitRows b;
  b.rows = rows, b.k = k, b.words = bit_row_words(k);
  b.bits.assign(std::size_t(rows * b.words), 0);
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t i = 0; i < k; ++i)
      if (values[r * ld + i]) b.bits[std::size_t(r * b.words + i / 64)] |= std::uint64_t(1) << (i % 64);
  return b;
}

namespace {
/// Bit i of the result: byte i of x nonzero. Each byte's bits are OR-ed into
/// its lowest, then the multiplication moves byte i's lowest bit to bit
/// 56 + i (the products' bit positions 8 j + 56 - 7 i are all distinct, so
/// nothing carries) and the shift brings the top byte down.
inline std::uint64_t nonzero_bytes(std::uint64_t x) {
  x |= x >> 4, x |= x >> 2, x |= x >> 1;
  return ((x & 0x0101010101010101ull) * 0x0102040810204080ull) >> 56;
}
} // namespace

void pack_bit_rows(const std::uint8_t *values, std::int64_t rows, std::int64_t k, std::int64_t ld,
                   std::uint64_t *bits, bool positive) {
  pack_bit_rows_with(bgemm_best_isa(), values, rows, k, ld, bits, positive);
}

void pack_bit_rows_with(BgemmIsa isa, const std::uint8_t *values, std::int64_t rows, std::int64_t k,
                        std::int64_t ld, std::uint64_t *bits, bool positive) {
  if (!bgemm_supported(isa)) throw std::invalid_argument(std::string("bgemm: this CPU has no ") + bgemm_isa_name(isa));
  if (isa == BgemmIsa::Avx512Vpopcntdq)
    return bgemm_detail::pack_bit_rows_avx512(values, rows, k, ld, bits, positive);
  const std::int64_t words = bit_row_words(k);
  for (std::int64_t r = 0; r < rows; ++r) {
    const std::uint8_t *v = values + r * ld;
    std::uint64_t *out = bits + r * words;
    for (std::int64_t w = 0; w < words; ++w) {
      std::uint64_t word = 0;
      for (int byte = 0; byte < 8; ++byte) {
        const std::int64_t i = 64 * w + 8 * byte;
        std::uint64_t eight = 0;
        if (i + 8 <= k)
          std::memcpy(&eight, v + i, 8);
        else if (i < k)
          std::memcpy(&eight, v + i, std::size_t(k - i));
        if (positive) // > 0 as int8: negative bytes (sign bit set) cleared whole
          eight &= ~(((eight & 0x8080808080808080ull) >> 7) * 0xFFull);
        word |= nonzero_bytes(eight) << (8 * byte);
      }
      out[w] = word;
    }
  }
}

void bit_row_counts(const BitRowsView &a, std::int32_t *counts) {
  for (std::int64_t r = 0; r < a.rows; ++r) {
    std::int32_t s = 0;
    for (std::int64_t i = 0; i < a.words; ++i) s += __builtin_popcountll(a.row(r)[i]);
    counts[r] = s;
  }
}

namespace {

void and_popcount_portable(const BitRowsView &a, const BitRowsView &w, std::int32_t *c, std::int64_t ldc, std::int64_t n0,
                           std::int64_t n1) {
  for (std::int64_t r = 0; r < a.rows; ++r)
    for (std::int64_t n = n0; n < n1; ++n) {
      std::int32_t s = 0;
      for (std::int64_t i = 0; i < a.words; ++i) s += __builtin_popcountll(a.row(r)[i] & w.row(n)[i]);
      c[r * ldc + n] = s;
    }
}

} // namespace

bool bgemm_supported(BgemmIsa isa) {
  if (isa == BgemmIsa::Portable) return true;
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vpopcntdq");
}

BgemmIsa bgemm_best_isa() {
  static const BgemmIsa best =
      bgemm_supported(BgemmIsa::Avx512Vpopcntdq) ? BgemmIsa::Avx512Vpopcntdq : BgemmIsa::Portable;
  return best;
}

const char *bgemm_isa_name(BgemmIsa isa) {
  return isa == BgemmIsa::Portable ? "portable (64-bit popcount)" : "avx512-vpopcntdq";
}

void bgemm_and_popcount_with(BgemmIsa isa, const BitRowsView &a, const BitRowsView &w, std::int32_t *c, std::int64_t ldc,
                             std::int64_t n0, std::int64_t n1) {
  if (!bgemm_supported(isa)) throw std::invalid_argument(std::string("bgemm: this CPU has no ") + bgemm_isa_name(isa));
  if (a.k != w.k || a.words != w.words)
    throw std::invalid_argument("bgemm: activations of " + std::to_string(a.k) + " bits against weights of " +
                                std::to_string(w.k));
  if (n0 < 0 || n1 > w.rows || n0 > n1 || ldc < n1 - n0)
    throw std::invalid_argument("bgemm: bad weight range [" + std::to_string(n0) + ", " + std::to_string(n1) +
                                ") of " + std::to_string(w.rows) + " or ldc " + std::to_string(ldc));
  if (isa == BgemmIsa::Portable) return and_popcount_portable(a, w, c, ldc, n0, n1);
  bgemm_detail::and_popcount_avx512(a, w, c, ldc, n0, n1);
}

void bgemm_and_popcount(const BitRowsView &a, const BitRowsView &w, std::int32_t *c, std::int64_t ldc, std::int64_t n0,
                        std::int64_t n1) {
  bgemm_and_popcount_with(bgemm_best_isa(), a, w, c, ldc, n0, n1);
}

} // namespace cpq
