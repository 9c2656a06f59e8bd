//===- bgemm_avx512.cpp - binary GEMM with AVX-512 VPOPCNTDQ ----------------===//
//
// The only code compiled with -mavx512vpopcntdq. Per 512-bit block: one
// load of each of MR activation rows and NR weight rows, MR x NR vpandq +
// vpopcntq + vpaddq into 64-bit lane counters, summed across lanes at the
// end. Tiles of 4 x 4 (16 accumulators), smaller at the edges.
//
//===----------------------------------------------------------------------===//
#include "cpq/kernels/bgemm.h"

#include <immintrin.h>

namespace cpq::bgemm_detail {
namespace {

template <int MR, int NR>
void tile(const BitRowsView &a, const BitRowsView &w, std::int64_t r0, std::int64_t n0, std::int32_t *c, std::int64_t ldc) {
  __m512i acc[MR][NR];
  for (auto &row : acc)
    for (auto &v : row) v = _mm512_setzero_si512();
  const std::uint64_t *ar[MR], *wr[NR];
  for (int r = 0; r < MR; ++r) ar[r] = a.row(r0 + r);
  for (int j = 0; j < NR; ++j) wr[j] = w.row(n0 + j);
  for (std::int64_t i = 0; i < a.words; i += 8) {
    __m512i wv[NR];
    for (int j = 0; j < NR; ++j) wv[j] = _mm512_loadu_si512(wr[j] + i);
    for (int r = 0; r < MR; ++r) {
      const __m512i av = _mm512_loadu_si512(ar[r] + i);
      for (int j = 0; j < NR; ++j)
        acc[r][j] = _mm512_add_epi64(acc[r][j], _mm512_popcnt_epi64(_mm512_and_si512(av, wv[j])));
    }
  }
  if constexpr (NR == 4) { // a row's four sums at once: pairwise adds of interleaved lanes
    for (int r = 0; r < MR; ++r) {
      const __m512i s01 = _mm512_add_epi64(_mm512_unpacklo_epi64(acc[r][0], acc[r][1]),
                                           _mm512_unpackhi_epi64(acc[r][0], acc[r][1]));
      const __m512i s23 = _mm512_add_epi64(_mm512_unpacklo_epi64(acc[r][2], acc[r][3]),
                                           _mm512_unpackhi_epi64(acc[r][2], acc[r][3]));
      // lanes of s01: (0, 1) per 128-bit quarter; of s23: (2, 3).
      const __m512i q = _mm512_add_epi64(_mm512_shuffle_i64x2(s01, s23, 0x88), _mm512_shuffle_i64x2(s01, s23, 0xDD));
      // q's quarters: s01 q0+q1, s01 q2+q3, s23 q0+q1, s23 q2+q3.
      const __m512i h = _mm512_add_epi64(q, _mm512_shuffle_i64x2(q, q, 0xB1)); // quarter 0: (0, 1), quarter 2: (2, 3)
      alignas(64) std::int64_t lanes[8];
      _mm512_store_si512(lanes, h);
      std::int32_t *out = c + (r0 + r) * ldc + n0;
      out[0] = std::int32_t(lanes[0]), out[1] = std::int32_t(lanes[1]);
      out[2] = std::int32_t(lanes[4]), out[3] = std::int32_t(lanes[5]);
    }
  } else {
    for (int r = 0; r < MR; ++r)
      for (int j = 0; j < NR; ++j) c[(r0 + r) * ldc + n0 + j] = std::int32_t(_mm512_reduce_add_epi64(acc[r][j]));
  }
}

template <int NR>
void rows(const BitRowsView &a, const BitRowsView &w, std::int64_t n0, std::int32_t *c, std::int64_t ldc) {
  std::int64_t r = 0;
  for (; r + 4 <= a.rows; r += 4) tile<4, NR>(a, w, r, n0, c, ldc);
  for (; r < a.rows; ++r) tile<1, NR>(a, w, r, n0, c, ldc);
}

} // namespace

void pack_bit_rows_avx512(const std::uint8_t *values, std::int64_t rows, std::int64_t k, std::int64_t ld,
                          std::uint64_t *bits, bool positive) {
  const __m512i zero = _mm512_setzero_si512();
  auto bits_of = [&](__m512i x) -> std::uint64_t {
    return positive ? _mm512_cmpgt_epi8_mask(x, zero) : _mm512_test_epi8_mask(x, x);
  };
  const std::int64_t words = bit_row_words(k);
  for (std::int64_t r = 0; r < rows; ++r) {
    const std::uint8_t *v = values + r * ld;
    std::uint64_t *out = bits + r * words;
    std::int64_t w = 0;
    for (; 64 * (w + 1) <= k; ++w) {
      const __m512i x = _mm512_loadu_si512(v + 64 * w);
      out[w] = bits_of(x);
    }
    if (64 * w < k) { // the last values, read under a mask
      const __mmask64 m = ~std::uint64_t(0) >> (64 - (k - 64 * w));
      const __m512i x = _mm512_maskz_loadu_epi8(m, v + 64 * w);
      out[w++] = bits_of(x);
    }
    for (; w < words; ++w) out[w] = 0;
  }
}

void and_popcount_avx512(const BitRowsView &a, const BitRowsView &w, std::int32_t *c, std::int64_t ldc, std::int64_t n0,
                         std::int64_t n1) {
  std::int64_t n = n0;
  for (; n + 4 <= n1; n += 4) rows<4>(a, w, n, c, ldc);
  for (; n < n1; ++n) rows<1>(a, w, n, c, ldc);
}

} // namespace cpq::bgemm_detail
