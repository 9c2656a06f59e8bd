//===- batches.cpp - epochs, shuffling and batches of a data set ------------===//
#include "cpq/runtime/batches.h"

#include "cpq/kernels/random.h"

#include <numeric>

namespace cpq::runtime {

std::vector<std::uint32_t> epoch_order(std::uint32_t count, std::uint64_t seed, std::uint64_t epoch) {
  std::vector<std::uint32_t> order(count);
  std::iota(order.begin(), order.end(), 0u);
  const CounterRng rng(seed, epoch, 0, RandomPurpose::Shuffle);
  // Fisher-Yates: position i takes one of positions 0..i, drawn by the
  // 64-bit multiply-shift of two words (bias below 2^-32 for 2^31 items).
  for (std::uint32_t i = count; i-- > 1;) {
    const std::uint64_t k = std::uint64_t(count - 1 - i);
    const std::uint64_t word = (std::uint64_t(rng.u32(2 * k)) << 32) | rng.u32(2 * k + 1);
    const std::uint32_t j = std::uint32_t((static_cast<unsigned __int128>(word) * (std::uint64_t(i) + 1)) >> 64);
    std::swap(order[i], order[j]);
  }
  return order;
}

bool fill_batch(const idx::LabelledImages &data, const std::vector<std::uint32_t> &order, std::size_t first,
                std::size_t n, Normalisation norm, float *images, std::int32_t *labels, std::string &error) {
  if (first > order.size() || n > order.size() - first) {
    error = "batch of " + std::to_string(n) + " from position " + std::to_string(first) + " runs past the " +
            std::to_string(order.size()) + " examples of the epoch";
    return false;
  }
  const std::size_t pixels = std::size_t(data.rows * data.cols);
  if (data.count < 0 || data.rows < 0 || data.cols < 0 || data.images.size() != std::size_t(data.count) * pixels ||
      data.labels.size() != std::size_t(data.count)) {
    error = "the data set's images (" + std::to_string(data.images.size()) + " bytes) and labels (" +
            std::to_string(data.labels.size()) + ") do not match its " + std::to_string(data.count) + " images of " +
            std::to_string(data.rows) + " x " + std::to_string(data.cols);
    return false;
  }
  const float scale = 1.0f / (255.0f * norm.std), shift = norm.mean / norm.std;
  for (std::size_t b = 0; b < n; ++b) {
    const std::uint32_t e = order[first + b];
    if (e >= std::uint64_t(data.count)) {
      error = "example " + std::to_string(e) + " is outside the " + std::to_string(data.count) + " of the data set";
      return false;
    }
    const std::uint8_t *src = data.images.data() + std::size_t(e) * pixels;
    float *dst = images + b * pixels;
    for (std::size_t p = 0; p < pixels; ++p) dst[p] = float(src[p]) * scale - shift;
    labels[b] = data.labels[e];
  }
  return true;
}

} // namespace cpq::runtime
