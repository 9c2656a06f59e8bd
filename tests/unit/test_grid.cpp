//===- test_grid.cpp - grids and the forward quantizer --------------------===//
//
// Grids of cpq-method.md section 1, compile-time and run-time, and the forward
// of section 2: round-to-nearest with clipping, ties up, for every kind and
// bit-width, on the full grid and on DropBits survivors.
//
//===----------------------------------------------------------------------===//
#define BOOST_TEST_MODULE grid
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "cpq/kernels/quantizer_reference.h"
#include "test_support.h"

#include <cmath>
#include <limits>
#include <random>

namespace bdata = boost::unit_test::data;
using namespace cpq;

namespace {
const auto kKinds = bdata::make({GridKind::Signed, GridKind::Unsigned, GridKind::Symmetric});
const auto kBits = bdata::xrange(1, 9);

/// Independent oracle: the nearest of `count` points t[i] (in units of alpha)
/// to v, ties to the upper point, compared exactly in double.
int nearest_level(const SurvivingGrid &s, float v) {
  int best = 0;
  for (int i = 1; i < s.count; ++i) {
    const double mid = 0.5 * (static_cast<double>(s.t[i - 1]) + static_cast<double>(s.t[i]));
    if (static_cast<double>(v) >= mid) best = i;
  }
  return s.q[best];
}
} // namespace

BOOST_DATA_TEST_CASE(levels_match_the_table, kKinds * kBits, kind, bits) {
  const GridSpec g = make_grid(kind, bits);
  BOOST_TEST(g.num_points() == (1 << bits));
  // Section 1's table.
  switch (kind) {
  case GridKind::Signed:
    BOOST_TEST(g.q_min() == -(1 << (bits - 1)));
    BOOST_TEST(g.q_max() == (1 << (bits - 1)) - 1);
    break;
  case GridKind::Unsigned:
    BOOST_TEST(g.q_min() == 0);
    BOOST_TEST(g.q_max() == (1 << bits) - 1);
    break;
  case GridKind::Symmetric:
    BOOST_TEST(g.q_min() == -((1 << bits) - 1));
    BOOST_TEST(g.q_max() == (1 << bits) - 1);
    break;
  }
  for (int code = 0; code < g.num_points(); ++code) {
    const int q = g.level_of_code(code);
    BOOST_TEST(g.code_of_level(q) == code);
    if (kind == GridKind::Symmetric) BOOST_TEST(std::abs(q) % 2 == 1);
    if (code > 0) BOOST_TEST(q - g.level_of_code(code - 1) == g.q_step());
  }
  BOOST_TEST(g.level_of_code(g.num_points() - 1) == g.q_max());
  // Symmetric: g = alpha * q / 2, so the outermost points are +-(2^b - 1)/2.
  if (kind == GridKind::Symmetric) BOOST_TEST(g.t_of_level(g.q_max()) == ((1 << bits) - 1) / 2.0f);
}

BOOST_DATA_TEST_CASE(compile_time_grid_equals_run_time_grid, kKinds * kBits, kind, bits) {
  const GridSpec g = make_grid(kind, bits);
  with_grid(g, [&](auto grid) {
    using G = decltype(grid);
    static_assert(G::num_points == (1 << G::bits));
    BOOST_TEST((G::spec == g));
    BOOST_TEST(G::q_min == g.q_min());
    BOOST_TEST(G::q_max == g.q_max());
  });
  BOOST_TEST(with_grid(g, [](auto grid) { return decltype(grid)::num_points; }) == g.num_points());
}

BOOST_AUTO_TEST_CASE(bad_grids_are_rejected) {
  BOOST_CHECK_THROW(make_grid(GridKind::Signed, 0), std::invalid_argument);
  BOOST_CHECK_THROW(make_grid(GridKind::Unsigned, 9), std::invalid_argument);
  BOOST_CHECK_THROW(with_grid(GridSpec{GridKind::Signed, 12}, [](auto) {}), std::invalid_argument);
  BOOST_TEST(parse_grid_kind("symmetric").value() == GridKind::Symmetric);
  BOOST_TEST(!parse_grid_kind("ternary").has_value());
}

// Forward equals round-to-nearest with clipping. The method fixes the float32
// formula floor(x/alpha + 0.5); it differs from exact nearest rounding only
// where float32 rounding of v + 0.5 itself lands on an integer, and those
// inputs are counted and excluded from the comparison.
BOOST_DATA_TEST_CASE(forward_is_round_to_nearest_with_clipping, kKinds * kBits, kind, bits) {
  const GridSpec g = make_grid(kind, bits);
  const SurvivingGrid s = make_surviving_grid(g);
  std::mt19937 rng(1000 * bits + static_cast<int>(kind));
  std::uniform_real_distribution<float> alpha_dist(0.01f, 3.0f);
  const float lo = s.t[0] - 3.0f, hi = s.t[s.count - 1] + 3.0f;
  std::uniform_real_distribution<float> t_dist(lo, hi);
  int compared = 0;
  for (int trial = 0; trial < 20000; ++trial) {
    const float alpha = alpha_dist(rng);
    const float x = alpha * t_dist(rng);
    const float v = x / alpha;
    const int q = reference::quantize_level(g, x, alpha);
    BOOST_REQUIRE(q >= g.q_min() && q <= g.q_max());
    const float shifted = g.kind == GridKind::Symmetric ? v : v + 0.5f;
    const double exact = g.kind == GridKind::Symmetric ? static_cast<double>(v) : static_cast<double>(v) + 0.5;
    if (std::floor(shifted) != std::floor(exact)) continue; // float32 rounding crossed an integer
    ++compared;
    BOOST_TEST_REQUIRE(q == nearest_level(s, v), "x=" << x << " alpha=" << alpha);
    BOOST_TEST(reference::dequantize(g, q, alpha) == alpha * g.t_of_level(q));
  }
  BOOST_TEST(compared > 19000);
}

BOOST_DATA_TEST_CASE(forward_ties_go_up_and_ends_clip, kKinds * kBits, kind, bits) {
  const GridSpec g = make_grid(kind, bits);
  const float alpha = 0.75f;
  for (int code = 1; code < g.num_points(); ++code) {
    // The edge between codes code-1 and code, exactly representable.
    const float edge = 0.5f * (g.t_of_level(g.level_of_code(code - 1)) + g.t_of_level(g.level_of_code(code)));
    const float x = edge * alpha;
    if (x / alpha != edge) continue; // the division must reproduce the edge exactly
    BOOST_TEST(reference::quantize_level(g, x, alpha) == g.level_of_code(code));
    // Just below the edge rounds down, unless float32 rounding of v + 0.5
    // reaches the integer (see the test above).
    const float below = std::nextafter(x, -1e30f), v = below / alpha;
    const bool exact = g.kind == GridKind::Symmetric || std::floor(v + 0.5f) == std::floor(double(v) + 0.5);
    if (v < edge && exact) BOOST_TEST(reference::quantize_level(g, below, alpha) == g.level_of_code(code - 1));
  }
  const float inf = std::numeric_limits<float>::infinity();
  BOOST_TEST(reference::quantize_level(g, 1e30f, alpha) == g.q_max());
  BOOST_TEST(reference::quantize_level(g, -1e30f, alpha) == g.q_min());
  BOOST_TEST(reference::quantize_level(g, inf, alpha) == g.q_max());
  BOOST_TEST(reference::quantize_level(g, -inf, alpha) == g.q_min());
  // Project choice: NaN maps to the lowest level, never out of range.
  BOOST_TEST(reference::quantize_level(g, std::nanf(""), alpha) == g.q_min());
}

// On DropBits survivors the forward rounds to the nearest surviving point.
BOOST_DATA_TEST_CASE(forward_on_survivors_is_nearest_survivor,
                     bdata::make({GridKind::Signed, GridKind::Unsigned}) * bdata::xrange(2, 9), kind, bits) {
  const GridSpec g = make_grid(kind, bits);
  std::mt19937 rng(77 * bits + static_cast<int>(kind));
  for (unsigned upper = 0; upper < (1u << (bits - 1)); ++upper) {
    const auto keep = static_cast<LevelMask>(2u | (upper << 2)); // level 1 always kept
    const SurvivingGrid s = make_surviving_grid(g, keep);
    std::uniform_real_distribution<float> t_dist(s.t[0] - 2.0f, s.t[s.count - 1] + 2.0f);
    for (int trial = 0; trial < 300; ++trial) {
      const float alpha = 0.37f;
      const float x = alpha * t_dist(rng);
      const float v = x / alpha;
      const int q = reference::quantize_level(s, x, alpha);
      BOOST_TEST_REQUIRE((keep & (1u << bit_level(g, q))) != 0);
      if (s.uniform_shift > 0) {
        // Section 2 on the 2^shift sub-grid, float32: same exclusion as above.
        const float step = static_cast<float>(1 << s.uniform_shift);
        if (std::floor(v / step + 0.5f) != std::floor(static_cast<double>(v / step) + 0.5)) continue;
      }
      BOOST_TEST_REQUIRE(q == nearest_level(s, v), "keep=" << keep << " x=" << x);
    }
  }
}
