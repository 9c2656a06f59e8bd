//===- dropbits.h - bit levels and DropBits masks (section 4) -----*- C++ -*-===//
//
// This file implements the bit levels of grid points and the DropBits masks
// of cpq-method.md section 4, and `SurvivingGrid`: the grid points that
// survive a mask, with the cell edges between consecutive survivors, on which
// the forward and backward of sections 2-3 then run unchanged.
//
// A mask is a `LevelMask`: bit l set means level l survives. Level 1 (the
// 1-bit sub-grid) always survives.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "cpq/kernels/grid.h"
#include "cpq/kernels/random.h"

#include <array>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace cpq {

using LevelMask = std::uint16_t;

enum class DropBitsMode : std::uint8_t {
  /// Level l survives iff m_2 = ... = m_l = 1: survivors are always a valid
  /// coarser uniform grid (the default).
  Hierarchical,
  /// Level l survives iff m_l = 1.
  Independent,
};

struct DropBitsConfig {
  /// Base drop probability: P(m_l = 0) = p^(b-l+1). 0 disables DropBits.
  double p = 0.0;
  DropBitsMode mode = DropBitsMode::Hierarchical;
};

/// Mask keeping every level 1..bits (evaluation mode, or DropBits off).
constexpr LevelMask all_levels(int bits) {
  return static_cast<LevelMask>(((1u << bits) - 1u) << 1);
}

/// Bit level l(q) of section 4: the smallest l such that q is divisible by
/// 2^(b-l). Defined for signed and unsigned grids.
constexpr int bit_level(GridSpec g, int q) {
  for (int l = 1; l < g.bits; ++l) {
    const int step = 1 << (g.bits - l);
    if (q % step == 0) return l;
  }
  return g.bits;
}

/// P(m_l = 0) = p^(b-l+1): the top level is dropped most often.
inline double drop_probability(double p, int bits, int level) {
  return std::pow(p, bits - level + 1);
}

inline void check_dropbits(GridSpec g, const DropBitsConfig &cfg) {
  if (!(cfg.p >= 0.0 && cfg.p < 1.0))
    throw std::invalid_argument("DropBits p must be in [0, 1), got " + std::to_string(cfg.p));
  if (cfg.p > 0.0 && !g.supports_dropbits())
    throw std::invalid_argument("DropBits needs nested sub-grids: not allowed on the " +
                                g.name() + " grid");
}

/// Draws the mask of one tensor at one training step. Word l-2 of the stream
/// (seed, step, tensor_id, DropBits) decides m_l; a draw u in (0,1) gives
/// m_l = 0 iff u < p^(b-l+1).
inline LevelMask draw_dropbits_mask(GridSpec g, const DropBitsConfig &cfg, std::uint64_t seed,
                                    std::uint64_t step, std::uint32_t tensor_id) {
  check_dropbits(g, cfg);
  LevelMask keep = 1u << 1;
  if (cfg.p == 0.0) return all_levels(g.bits);
  const CounterRng rng(seed, step, tensor_id, RandomPurpose::DropBits);
  bool chain = true; // m_2 = ... = m_l = 1 so far
  for (int l = 2; l <= g.bits; ++l) {
    const bool m = !(rng.uniform(static_cast<std::uint64_t>(l - 2)) <
                     drop_probability(cfg.p, g.bits, l));
    chain = chain && m;
    const bool survives = cfg.mode == DropBitsMode::Hierarchical ? chain : m;
    if (survives) keep |= static_cast<LevelMask>(1u << l);
  }
  return keep;
}

/// The grid points that survive a mask, in increasing order, in integer
/// levels `q` and in units of alpha (`t`), and the inner cell edges `tau`
/// (midpoints between consecutive survivors, in units of alpha).
struct SurvivingGrid {
  GridSpec grid;
  LevelMask keep;
  int count = 0;
  /// Survivors form a uniform sub-grid with step 2^shift levels (shift >= 0),
  /// or -1 when they do not (independent masks).
  int uniform_shift = -1;
  std::array<int, kMaxPoints> q{};
  std::array<float, kMaxPoints> t{};
  /// tau[j] for j = 1..count-1 is the edge between survivors j-1 and j.
  std::array<float, kMaxPoints> tau{};

  int q_first() const { return q[0]; }
  int q_last() const { return q[count - 1]; }
};

inline SurvivingGrid make_surviving_grid(GridSpec g, LevelMask keep = 0) {
  if (keep == 0) keep = all_levels(g.bits);
  if (!(keep & (1u << 1)))
    throw std::invalid_argument("DropBits mask must keep level 1");
  if (keep & ~all_levels(g.bits))
    throw std::invalid_argument("DropBits mask has levels above the grid's bits");
  if (keep != all_levels(g.bits) && !g.supports_dropbits())
    throw std::invalid_argument("DropBits masks are not allowed on the " + g.name() + " grid");
  SurvivingGrid s;
  s.grid = g;
  s.keep = keep;
  for (int code = 0; code < g.num_points(); ++code) {
    const int q = g.level_of_code(code);
    const bool survives = !g.supports_dropbits() || (keep & (1u << bit_level(g, q)));
    if (!survives) continue;
    s.q[s.count] = q;
    s.t[s.count] = g.t_of_level(q);
    if (s.count > 0) s.tau[s.count] = 0.5f * (s.t[s.count - 1] + s.t[s.count]);
    ++s.count;
  }
  // Levels 1..L kept with nothing above: the L-bit sub-grid, step 2^(b-L).
  int top = 1;
  while (top < g.bits && (keep & (1u << (top + 1)))) ++top;
  const bool prefix = keep == static_cast<LevelMask>(((1u << top) - 1u) << 1);
  s.uniform_shift = prefix ? g.bits - top : -1;
  return s;
}

} // namespace cpq
