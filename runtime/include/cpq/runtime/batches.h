//===- batches.h - epochs, shuffling and batches of a data set -----*- C++ -*-===//
//
// This file declares how training walks a labelled image set: the order of
// each epoch is a Fisher-Yates shuffle driven by the kernel core's
// counter-based generator (purpose Shuffle, counter = epoch), so it depends
// only on (seed, epoch, count) and a resumed run sees the same batches as an
// uninterrupted one; batches are written as normalised float NCHW images
// (one channel) and int32 labels, the layout of the generated train_step.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "cpq/runtime/idx.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace cpq::runtime {

/// The order of `count` examples (count < 2^31) in `epoch` of a run seeded `seed`.
std::vector<std::uint32_t> epoch_order(std::uint32_t count, std::uint64_t seed, std::uint64_t epoch);

/// Pixels become (byte / 255 - mean) / std.
struct Normalisation {
  float mean = 0.0f, std = 1.0f;
};
/// Fashion-MNIST's training-set pixel mean and standard deviation.
inline constexpr Normalisation kFashionMnistNormalisation{0.2860f, 0.3530f};

/// Writes examples order[first], ..., order[first + n - 1] of `data` to
/// `images` (n x 1 x rows x cols floats) and `labels` (n int32); false with
/// `error` set when the range or an index is outside the data.
bool fill_batch(const idx::LabelledImages &data, const std::vector<std::uint32_t> &order, std::size_t first,
                std::size_t n, Normalisation norm, float *images, std::int32_t *labels, std::string &error);

} // namespace cpq::runtime
