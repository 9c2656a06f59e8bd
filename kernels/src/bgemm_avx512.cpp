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
  for (int r = 0; r < MR; ++r)
    for (int j = 0; j < NR; ++j) c[(r0 + r) * ldc + n0 + j] = std::int32_t(_mm512_reduce_add_epi64(acc[r][j]));
}

template <int NR>
void rows(const BitRowsView &a, const BitRowsView &w, std::int64_t n0, std::int32_t *c, std::int64_t ldc) {
  std::int64_t r = 0;
  for (; r + 4 <= a.rows; r += 4) tile<4, NR>(a, w, r, n0, c, ldc);
  for (; r < a.rows; ++r) tile<1, NR>(a, w, r, n0, c, ldc);
}

} // namespace

void and_popcount_avx512(const BitRowsView &a, const BitRowsView &w, std::int32_t *c, std::int64_t ldc, std::int64_t n0,
                         std::int64_t n1) {
  std::int64_t n = n0;
  for (; n + 4 <= n1; n += 4) rows<4>(a, w, n, c, ldc);
  for (; n < n1; ++n) rows<1>(a, w, n, c, ldc);
}

} // namespace cpq::bgemm_detail
