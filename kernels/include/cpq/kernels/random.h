//===- random.h - the project's one seeded counter-based generator -*- C++ -*-===//
//
// This file implements `CounterRng`, a thin view of the Philox4x32-10
// generator of Random123. A draw is a pure function of (seed, step, tensor id,
// purpose, index): no state is carried between draws, so any thread can make
// any draw and a run gives the same numbers whatever the thread count or
// iteration order (design.md: "Randomness ... comes from one seeded
// counter-based generator").
//
// Layout of Philox's 2x32-bit key and 4x32-bit counter (project choice):
//   key     = { seed bits 0..31, seed bits 32..63 }
//   counter = { step bits 0..31, step bits 32..63, tensor id,
//               purpose << 24 | block index (24 bits) }
// Each block yields four 32-bit words.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <Random123/philox.h>

#include <array>
#include <cstdint>
#include <stdexcept>

namespace cpq {

/// What a stream of draws is for; distinct purposes never share a counter.
enum class RandomPurpose : std::uint32_t {
  DropBits = 1,
  HardConcrete = 2,
  Init = 3,
  Shuffle = 4,
  Clustering = 5, ///< k-means++ seeding of compression's codebooks
};

class CounterRng {
public:
  static constexpr std::uint32_t kMaxBlocks = 1u << 24;

  CounterRng(std::uint64_t seed, std::uint64_t step, std::uint32_t tensor_id,
             RandomPurpose purpose)
      : key_{{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)}},
        step_(step), tensor_id_(tensor_id), purpose_(static_cast<std::uint32_t>(purpose)) {}

  /// Four independent 32-bit words of block `index`.
  std::array<std::uint32_t, 4> block(std::uint32_t index) const {
    if (index >= kMaxBlocks)
      throw std::out_of_range("CounterRng: block index beyond 2^24 for one (seed, step, tensor)");
    r123::Philox4x32 philox;
    r123::Philox4x32::ctr_type ctr{{static_cast<std::uint32_t>(step_),
                                    static_cast<std::uint32_t>(step_ >> 32), tensor_id_,
                                    (purpose_ << 24) | index}};
    auto out = philox(ctr, key_);
    return {out[0], out[1], out[2], out[3]};
  }

  /// The i-th 32-bit word of the stream.
  std::uint32_t u32(std::uint64_t i) const {
    return block(static_cast<std::uint32_t>(i / 4))[i % 4];
  }

  /// The i-th draw as a double uniform on the open interval (0, 1):
  /// (u32 + 1/2) / 2^32, never exactly 0 or 1.
  double uniform(std::uint64_t i) const {
    return (static_cast<double>(u32(i)) + 0.5) * 0x1p-32;
  }

private:
  r123::Philox4x32::key_type key_;
  std::uint64_t step_;
  std::uint32_t tensor_id_;
  std::uint32_t purpose_;
};

} // namespace cpq
