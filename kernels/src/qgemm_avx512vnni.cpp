//===- qgemm_avx512vnni.cpp - qgemm with AVX-512 VNNI (vpdpbusd) ------------===//
//
// The only code compiled with -mavx512vnni (kernels/CMakeLists.txt). Each
// 64-byte unit of the panel layout is loaded once per register tile, split
// into its 8 / cbits code groups by a 16-bit shift and a byte mask, and fed
// to vpdpbusd against a broadcast of four activation bytes. Tiles: 6 rows x
// 2 panels (12 accumulators) for products of several rows; 1 row x 4
// panels (four independent dependency chains) for matrix-vector products,
// which stream the weights once; for 1- and 2-bit weights there, 1 row x 1
// panel with one accumulator per code group, masked in place (split_step:
// 1-bit GEMV from DRAM 32 vs 24 GB/s in a test program of this layout).
//
//===----------------------------------------------------------------------===//
#include "cpq/kernels/qgemm.h"

#include <immintrin.h>

#include <algorithm>
#include <cstring>

namespace cpq::qgemm_detail {
namespace {

template <int MR, int NR, int CB>
inline void block_step(__m512i (&acc)[MR][NR], const std::uint8_t *const (&wb)[NR],
                       const std::uint8_t *const (&ak)[MR]) {
  constexpr int G = 8 / CB;
  const __m512i mask = _mm512_set1_epi8(char((1 << CB) - 1));
  __m512i wv[NR];
  for (int j = 0; j < NR; ++j) wv[j] = _mm512_loadu_si512(wb[j]);
#pragma GCC unroll 8
  for (int g = 0; g < G; ++g) {
    __m512i u[NR];
    for (int j = 0; j < NR; ++j) {
      if constexpr (CB == 8)
        u[j] = wv[j];
      else
        u[j] = _mm512_and_si512(g == 0 ? wv[j] : _mm512_srli_epi16(wv[j], unsigned(CB * g)), mask);
    }
    for (int r = 0; r < MR; ++r) {
      std::int32_t four;
      std::memcpy(&four, ak[r] + 4 * g, 4);
      const __m512i x = _mm512_set1_epi32(four);
      for (int j = 0; j < NR; ++j) acc[r][j] = _mm512_dpbusd_epi32(acc[r][j], x, u[j]);
    }
  }
}

/// A matrix-vector step of 1- and 2-bit weights with one panel: each code
/// group but the top one is masked in place (no shift) and multiplied into
/// its own accumulator, which thus holds 2^(cbits g) times its sum (undone
/// by `combine_split`); the top group of 2-bit codes is shifted down as in
/// block_step. The top bit of 1-bit codes, 128 as a signed byte, is -128:
/// its sum is subtracted. One operation less per group than block_step,
/// and one weight stream per thread, which DRAM serves better.
template <int CB>
inline void split_step(__m512i (&part)[8 / CB], const std::uint8_t *wb, const std::uint8_t *ak) {
  constexpr int G = 8 / CB;
  const __m512i wv = _mm512_loadu_si512(wb);
#pragma GCC unroll 8
  for (int g = 0; g < G; ++g) {
    const __m512i u = CB == 1 || g + 1 < G
                          ? _mm512_and_si512(wv, _mm512_set1_epi8(char(((1 << CB) - 1) << (CB * g))))
                          : _mm512_and_si512(_mm512_srli_epi16(wv, unsigned(CB * g)), _mm512_set1_epi8((1 << CB) - 1));
    std::int32_t four;
    std::memcpy(&four, ak + 4 * g, 4);
    part[g] = _mm512_dpbusd_epi32(part[g], _mm512_set1_epi32(four), u);
  }
}

template <int CB>
inline __m512i combine_split(const __m512i (&part)[8 / CB]) {
  constexpr int G = 8 / CB;
  __m512i v = part[0];
  for (int g = 1; g < G; ++g) {
    if (CB == 1 && g == G - 1)
      v = _mm512_sub_epi32(v, _mm512_srai_epi32(part[g], 7));
    else if (g + 1 < G)
      v = _mm512_add_epi32(v, _mm512_srai_epi32(part[g], unsigned(CB * g)));
    else
      v = _mm512_add_epi32(v, part[g]);
  }
  return v;
}

/// Calls step(wb, ak) for each block of the reduction: wb[j] the block's
/// unit of panel p + j, ak[r] row r0 + r's activations from its first k (the
/// last, partial block's zero-padded in a copy: A is never read past k).
template <int MR, int NR, int CB, class Step>
inline void for_each_block(const PanelView &w, const std::uint8_t *a, std::int64_t lda, std::int64_t r0,
                           std::int64_t p, Step &&step) {
  constexpr int KB = 32 / CB;
  const std::uint8_t *wp[NR];
  for (int j = 0; j < NR; ++j) wp[j] = w.panel(p + j);
  const std::uint8_t *ar[MR];
  for (int r = 0; r < MR; ++r) ar[r] = a + (r0 + r) * lda;
  const std::int64_t full = w.k / KB;
  for (std::int64_t b = 0; b < full; ++b) {
    const std::uint8_t *wb[NR], *ak[MR];
    for (int j = 0; j < NR; ++j) wb[j] = wp[j] + b * 64;
    for (int r = 0; r < MR; ++r) ak[r] = ar[r] + b * KB;
    step(wb, ak);
  }
  if (full < w.blocks) {
    alignas(64) std::uint8_t tail[MR][32] = {};
    const std::int64_t rest = w.k - full * KB;
    const std::uint8_t *wb[NR], *ak[MR];
    for (int r = 0; r < MR; ++r) std::memcpy(tail[r], ar[r] + full * KB, std::size_t(rest)), ak[r] = tail[r];
    for (int j = 0; j < NR; ++j) wb[j] = wp[j] + full * 64;
    step(wb, ak);
  }
}

/// Rows [r0, r0 + MR) times panels [p, p + NR); SPLIT (one row, one panel,
/// 1- or 2-bit weights): by split_step.
template <int MR, int NR, int CB, bool SPLIT = false>
void tile(const PanelView &w, const std::uint8_t *a, std::int64_t lda, std::int64_t r0, std::int64_t p,
          const std::int32_t *sums, std::int32_t *c, std::int64_t ldc) {
  __m512i acc[MR][NR];
  if constexpr (SPLIT) {
    static_assert(MR == 1 && NR == 1 && CB <= 2, "split steps take one row, one panel, 1- or 2-bit weights");
    __m512i part[8 / CB];
    for (auto &v : part) v = _mm512_setzero_si512();
    for_each_block<1, 1, CB>(w, a, lda, r0, p, [&](const std::uint8_t *const(&wb)[1], const std::uint8_t *const(&ak)[1]) {
      split_step<CB>(part, wb[0], ak[0]);
    });
    acc[0][0] = combine_split<CB>(part);
  } else {
    for (auto &row : acc)
      for (auto &v : row) v = _mm512_setzero_si512();
    for_each_block<MR, NR, CB>(w, a, lda, r0, p,
                               [&](const std::uint8_t *const(&wb)[NR], const std::uint8_t *const(&ak)[MR]) {
                                 block_step<MR, NR, CB>(acc, wb, ak);
                               });
  }
  const __m512i step = _mm512_set1_epi32(w.grid.q_step());
  for (int r = 0; r < MR; ++r) {
    const __m512i offset = _mm512_set1_epi32(w.levels ? 0 : w.grid.q_min() * sums[r0 + r]);
    for (int j = 0; j < NR; ++j) {
      __m512i v = acc[r][j];
      if (!w.levels) v = _mm512_add_epi32(_mm512_mullo_epi32(v, step), offset);
      const std::int64_t n0 = 16 * (p + j), valid = std::min<std::int64_t>(16, w.n - n0);
      const __mmask16 keep = valid >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << valid) - 1u);
      _mm512_mask_storeu_epi32(c + (r0 + r) * ldc + n0, keep, v);
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
  case 4: return tile<4, NR, CB>(w, a, lda, r0, p, sums, c, ldc);
  case 5: return tile<5, NR, CB>(w, a, lda, r0, p, sums, c, ldc);
  default: return;
  }
}

template <int CB>
void run(const PanelView &w, const std::uint8_t *a, std::int64_t m, std::int64_t lda, const std::int32_t *sums,
         std::int32_t *c, std::int64_t ldc, std::int64_t p0, std::int64_t p1) {
  if (m <= 2) { // matrix-vector: stream the weights, four panels per pass (1, 2 bits: one, split)
    for (std::int64_t r = 0; r < m; ++r) {
      std::int64_t p = p0;
      if constexpr (CB <= 2)
        for (; p < p1; ++p) tile<1, 1, CB, true>(w, a, lda, r, p, sums, c, ldc);
      for (; p + 4 <= p1; p += 4) tile<1, 4, CB>(w, a, lda, r, p, sums, c, ldc);
      for (; p < p1; ++p) tile<1, 1, CB>(w, a, lda, r, p, sums, c, ldc);
    }
    return;
  }
  for (std::int64_t p = p0; p < p1; p += 2) { // two panels stay in cache while the rows pass
    const bool pair = p + 2 <= p1;
    std::int64_t r = 0;
    for (; r + 6 <= m; r += 6)
      pair ? tile<6, 2, CB>(w, a, lda, r, p, sums, c, ldc) : tile<6, 1, CB>(w, a, lda, r, p, sums, c, ldc);
    if (r < m)
      pair ? rows_tail<2, CB>(w, a, lda, r, m - r, p, sums, c, ldc)
           : rows_tail<1, CB>(w, a, lda, r, m - r, p, sums, c, ldc);
  }
}

} // namespace

void gemm_avx512vnni(const PanelView &w, const std::uint8_t *a, std::int64_t m, std::int64_t lda,
                     const std::int32_t *sums, std::int32_t *c, std::int64_t ldc, std::int64_t p0, std::int64_t p1) {
  switch (w.cbits) {
  case 1: return run<1>(w, a, m, lda, sums, c, ldc, p0, p1);
  case 2: return run<2>(w, a, m, lda, sums, c, ldc, p0, p1);
  case 4: return run<4>(w, a, m, lda, sums, c, ldc, p0, p1);
  default: return run<8>(w, a, m, lda, sums, c, ldc, p0, p1);
  }
}

} // namespace cpq::qgemm_detail
