//===- roofline.h - timing against the memory roofline ------------*- C++ -*-===//
//
// What the benchmarks that read their operands from DRAM share: medians of
// timed runs, a plain parallel read of the same bytes (the roofline's
// memory side), and products timed in turn with those reads so a slow
// moment of this shared machine slows both.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <functional>
#include <vector>

namespace cpq::bench {

inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

inline double seconds_of(const std::function<void()> &f) {
  const auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

/// The median of `n` timed runs of `f` after one warm-up run.
inline double median_seconds(int n, const std::function<void()> &f) {
  f();
  std::vector<double> t;
  for (int r = 0; r < n; ++r) t.push_back(seconds_of(f));
  return median(t);
}

/// Reads `bytes` at `p` (the threads share it in equal parts), as fast as
/// plain loads go.
inline void stream_read(const std::uint8_t *p, std::size_t bytes, int threads) {
  static volatile std::uint64_t sink = 0;
  const std::size_t words = bytes / sizeof(std::uint64_t);
  std::uint64_t total = 0;
#pragma omp parallel for num_threads(threads) reduction(^ : total) schedule(static)
  for (std::size_t i = 0; i < words / 8 * 8; i += 8) {
    std::uint64_t x[8];
    std::memcpy(x, p + i * sizeof(std::uint64_t), sizeof x);
    total ^= x[0] ^ x[1] ^ x[2] ^ x[3] ^ x[4] ^ x[5] ^ x[6] ^ x[7];
  }
  sink = sink ^ total;
}

/// `products` and `reads` (each over the same set of `count` operands)
/// timed in turn `repeats` times after a warm-up: medians of the seconds per
/// operand and of the per-repeat ratios read / product.
struct InTurn {
  double product_seconds, read_seconds, fraction;
};
inline InTurn time_in_turn(int repeats, std::size_t count, const std::function<void()> &products,
                           const std::function<void()> &reads) {
  products(), reads();
  std::vector<double> product_s, read_s, ratio;
  for (int r = 0; r < repeats; ++r) {
    read_s.push_back(seconds_of(reads) / double(count));
    product_s.push_back(seconds_of(products) / double(count));
    ratio.push_back(read_s.back() / product_s.back());
  }
  return {median(product_s), median(read_s), median(ratio)};
}

} // namespace cpq::bench
