//===- qgemm_avx2.cpp - qgemm with AVX2 (vpmaddubsw + vpmaddwd) -------------===//
//
// The only qgemm code compiled with -mavx2. A 64-byte unit of the panel
// layout is two 32-byte halves (outputs 0..7 and 8..15 of the panel).
// vpmaddubsw multiplies activation bytes (u8) by weight codes (s8) and adds
// pairs into int16, which is exact while 2 * 255 * code < 2^15, i.e. codes
// below 64 (grids of up to 6 bits); vpmaddwd by 1 widens the pairs to int32.
// Grids of 7 and 8 bits take the portable loop. Tiles: 4 rows x 1 panel,
// or 1 row x 2 panels for matrix-vector products.
//
//===----------------------------------------------------------------------===//
#include "cpq/kernels/qgemm.h"

#include <immintrin.h>

#include <algorithm>
#include <cstring>

namespace cpq::qgemm_detail {
namespace {

template <int MR, int NR, int CB>
inline void block_step(__m256i (&acc)[MR][2 * NR], const std::uint8_t *const (&wb)[NR],
                       const std::uint8_t *const (&ak)[MR]) {
  constexpr int G = 8 / CB;
  const __m256i mask = _mm256_set1_epi8(char((1 << CB) - 1)), ones = _mm256_set1_epi16(1);
  __m256i wv[2 * NR];
  for (int j = 0; j < NR; ++j) {
    wv[2 * j] = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(wb[j]));
    wv[2 * j + 1] = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(wb[j] + 32));
  }
#pragma GCC unroll 8
  for (int g = 0; g < G; ++g) {
    __m256i u[2 * NR];
    for (int h = 0; h < 2 * NR; ++h) {
      if constexpr (CB == 8)
        u[h] = wv[h];
      else
        u[h] = _mm256_and_si256(g == 0 ? wv[h] : _mm256_srli_epi16(wv[h], CB * g), mask);
    }
    for (int r = 0; r < MR; ++r) {
      std::int32_t four;
      std::memcpy(&four, ak[r] + 4 * g, 4);
      const __m256i x = _mm256_set1_epi32(four);
      for (int h = 0; h < 2 * NR; ++h)
        acc[r][h] = _mm256_add_epi32(acc[r][h], _mm256_madd_epi16(_mm256_maddubs_epi16(x, u[h]), ones));
    }
  }
}

template <int MR, int NR, int CB>
void tile(const PanelView &w, const std::uint8_t *a, std::int64_t lda, std::int64_t r0, std::int64_t p,
          const std::int32_t *sums, std::int32_t *c, std::int64_t ldc) {
  constexpr int KB = 32 / CB;
  __m256i acc[MR][2 * NR];
  for (auto &row : acc)
    for (auto &v : row) v = _mm256_setzero_si256();
  const std::uint8_t *wp[NR];
  for (int j = 0; j < NR; ++j) wp[j] = w.panel(p + j);
  const std::uint8_t *ar[MR];
  for (int r = 0; r < MR; ++r) ar[r] = a + (r0 + r) * lda;
  const std::int64_t full = w.k / KB;
  for (std::int64_t b = 0; b < full; ++b) {
    const std::uint8_t *wb[NR], *ak[MR];
    for (int j = 0; j < NR; ++j) wb[j] = wp[j] + b * 64;
    for (int r = 0; r < MR; ++r) ak[r] = ar[r] + b * KB;
    block_step<MR, NR, CB>(acc, wb, ak);
  }
  if (full < w.blocks) {
    alignas(32) std::uint8_t tail[MR][32] = {};
    const std::int64_t rest = w.k - full * KB;
    const std::uint8_t *wb[NR], *ak[MR];
    for (int r = 0; r < MR; ++r) std::memcpy(tail[r], ar[r] + full * KB, std::size_t(rest)), ak[r] = tail[r];
    for (int j = 0; j < NR; ++j) wb[j] = wp[j] + full * 64;
    block_step<MR, NR, CB>(acc, wb, ak);
  }
  const __m256i step = _mm256_set1_epi32(w.grid.q_step());
  for (int r = 0; r < MR; ++r) {
    const __m256i offset = _mm256_set1_epi32(w.grid.q_min() * sums[r0 + r]);
    for (int h = 0; h < 2 * NR; ++h) {
      const __m256i v = _mm256_add_epi32(_mm256_mullo_epi32(acc[r][h], step), offset);
      const std::int64_t n0 = 16 * p + 8 * h, valid = std::min<std::int64_t>(8, w.n - n0);
      std::int32_t *out = c + (r0 + r) * ldc + n0;
      if (valid >= 8) {
        _mm256_storeu_si256(reinterpret_cast<__m256i *>(out), v);
      } else if (valid > 0) {
        alignas(32) std::int32_t lanes[8];
        _mm256_store_si256(reinterpret_cast<__m256i *>(lanes), v);
        std::copy(lanes, lanes + valid, out);
      }
    }
  }
}

template <int NR, int CB>
void rows_tail(const PanelView &w, const std::uint8_t *a, std::int64_t lda, std::int64_t r0, std::int64_t rows,
               std::int64_t p, const std::int32_t *sums, std::int32_t *c, std::int64_t ldc) {
  switch (rows) {
  case 1: return tile<1, NR, CB>(w, a, lda, r0, p, sums, c, ldc);
  case 2: return tile<2, NR, CB>(w, a, lda, r0, p, sums, c, ldc);
  case 3: return tile<3, NR, CB>(w, a, lda, r0, p, sums, c, ldc);
  default: return;
  }
}

template <int CB>
void run(const PanelView &w, const std::uint8_t *a, std::int64_t m, std::int64_t lda, const std::int32_t *sums,
         std::int32_t *c, std::int64_t ldc, std::int64_t p0, std::int64_t p1) {
  if (m <= 2) {
    for (std::int64_t r = 0; r < m; ++r) {
      std::int64_t p = p0;
      for (; p + 2 <= p1; p += 2) tile<1, 2, CB>(w, a, lda, r, p, sums, c, ldc);
      for (; p < p1; ++p) tile<1, 1, CB>(w, a, lda, r, p, sums, c, ldc);
    }
    return;
  }
  for (std::int64_t p = p0; p < p1; ++p) {
    std::int64_t r = 0;
    for (; r + 4 <= m; r += 4) tile<4, 1, CB>(w, a, lda, r, p, sums, c, ldc);
    if (r < m) rows_tail<1, CB>(w, a, lda, r, m - r, p, sums, c, ldc);
  }
}

} // namespace

void gemm_avx2(const PanelView &w, const std::uint8_t *a, std::int64_t m, std::int64_t lda,
               const std::int32_t *sums, std::int32_t *c, std::int64_t ldc, std::int64_t p0, std::int64_t p1) {
  if (w.levels || w.grid.bits > 6) return gemm_portable(w, a, m, lda, sums, c, ldc, p0, p1); // vpmaddubsw would saturate
  switch (w.cbits) {
  case 1: return run<1>(w, a, m, lda, sums, c, ldc, p0, p1);
  case 2: return run<2>(w, a, m, lda, sums, c, ldc, p0, p1);
  case 4: return run<4>(w, a, m, lda, sums, c, ldc, p0, p1);
  default: return run<8>(w, a, m, lda, sums, c, ldc, p0, p1);
  }
}

} // namespace cpq::qgemm_detail
