//===- lut_gemv_avx512.cpp - the lookup-table product on AVX-512F -----------===//
//
// Compiled with -mavx512f only. The codebook sits in one zmm register. A
// chunk's 64 bytes are one zmm of 16 words, each holding 8 indices; vpermps
// looks up the low 4 bits of every word, so the chunk's 128 lookups are 8
// vpermps with a 4-bit shift between them: no widening, no masking. x is
// rearranged once per call to match (the q-th lookup of word l is index
// 8l + q: xs[chunk][q][l] = x[chunk * 128 + 8l + q], zero past cols, so the
// padded indices add +-0, which leaves every accumulator as it is). The 8
// lookups of a chunk feed 8 independent FMA chains, enough to hide the FMA
// latency one row at a time. The order of operations is the contract's
// (lut_gemv.h).
//
//===----------------------------------------------------------------------===//
#include "cpq/kernels/lut_gemv.h" // declarations only are used here

#include <immintrin.h>

#include <cstdlib>
#include <cstring>
#include <new>

namespace cpq::lut_detail {

void gemv_avx512(const std::uint8_t *codes, std::int64_t row_bytes, std::int64_t cols, const float *codebook,
                 int entries, const float *x, float *y, std::int64_t row_begin, std::int64_t row_end) {
  const std::int64_t chunks = row_bytes / 64;
  float *xs = static_cast<float *>(std::aligned_alloc(64, std::size_t(chunks * 128 + 16) * sizeof(float)));
  if (!xs) throw std::bad_alloc();
  std::memset(xs, 0, std::size_t(chunks * 128 + 16) * sizeof(float));
  for (std::int64_t j = 0; j < cols; ++j) {
    const std::int64_t chunk = j / 128, p = j % 128;
    xs[chunk * 128 + (p % 8) * 16 + p / 8] = x[j];
  }
  float book[16] = {};
  std::memcpy(book, codebook, std::size_t(entries) * sizeof(float));
  const __m512 table = _mm512_loadu_ps(book);

  for (std::int64_t r = row_begin; r < row_end; ++r) {
    const std::uint8_t *c = codes + r * row_bytes;
    __m512 v[8];
    for (int q = 0; q < 8; ++q) v[q] = _mm512_setzero_ps();
    for (std::int64_t k = 0; k < chunks; ++k) {
      __m512i words = _mm512_loadu_si512(c + k * 64);
      const float *xk = xs + k * 128;
      for (int q = 0; q < 8; ++q) {
        v[q] = _mm512_fmadd_ps(_mm512_permutexvar_ps(words, table), _mm512_load_ps(xk + q * 16), v[q]);
        words = _mm512_srli_epi32(words, 4);
      }
    }
    const __m512 w0 = _mm512_add_ps(_mm512_add_ps(v[0], v[4]), _mm512_add_ps(v[2], v[6]));
    const __m512 w1 = _mm512_add_ps(_mm512_add_ps(v[1], v[5]), _mm512_add_ps(v[3], v[7]));
    alignas(64) float a[16];
    _mm512_store_ps(a, _mm512_add_ps(w0, w1));
    for (int half = 8; half >= 2; half /= 2)
      for (int l = 0; l < half; ++l) a[l] += a[l + half];
    y[r] = a[0] + a[1];
  }
  std::free(xs);
}

} // namespace cpq::lut_detail
