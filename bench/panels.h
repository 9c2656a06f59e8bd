//===- panels.h - packed uniform weights for the benchmarks -------*- C++ -*-===//
//
// Random weights in qgemm's panel layout and the product over all panels
// split between OpenMP threads (bench/packed, bench/compress).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "cpq/kernels/qgemm.h"

#include <omp.h>

#include <algorithm>
#include <cstring>
#include <random>

namespace cpq::bench {

/// qgemm over all panels, split between `threads` threads.
inline void parallel_qgemm(const PanelWeights &w, const std::uint8_t *a, std::int64_t m, const std::int32_t *sums,
                           std::int32_t *c, int threads) {
#pragma omp parallel num_threads(threads)
  {
    const std::int64_t t = omp_get_thread_num(), n = omp_get_num_threads();
    const std::int64_t p0 = w.panels * t / n, p1 = w.panels * (t + 1) / n;
    qgemm_u8(w, a, m, w.k, sums, c, w.n, p0, p1);
  }
}

/// Random weights of `bits` bits in the panel layout (random codes: every
/// byte of the layout is a valid code or level).
inline PanelWeights random_panels(int bits, std::int64_t n, std::int64_t k, std::mt19937_64 &rng) {
  PanelWeights w = PanelWeights::zeros(GridSpec{GridKind::Signed, bits}, n, k);
  for (std::size_t i = 0; i < w.bytes.size(); i += 8) {
    const std::uint64_t r = rng();
    std::memcpy(w.bytes.data() + i, &r, std::min<std::size_t>(8, w.bytes.size() - i));
  }
  return w;
}

} // namespace cpq::bench
