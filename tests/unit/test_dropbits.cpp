//===- test_dropbits.cpp - bit levels and DropBits masks ------------------===//
//
// cpq-method.md section 4: bit levels, the surviving grids, the drop
// probabilities p^(b-l+1) of both modes, and reproducibility of the masks
// from (seed, step, tensor id) whatever the thread count.
//
//===----------------------------------------------------------------------===//
#define BOOST_TEST_MODULE dropbits
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "cpq/kernels/dropbits.h"
#include "test_support.h"

#include <cmath>
#include <thread>
#include <vector>

namespace bdata = boost::unit_test::data;
using namespace cpq;

namespace {
const auto kNested = bdata::make({GridKind::Signed, GridKind::Unsigned});
} // namespace

BOOST_DATA_TEST_CASE(bit_levels_partition_the_grid, kNested * bdata::xrange(1, 9), kind, bits) {
  const GridSpec g = make_grid(kind, bits);
  std::vector<int> per_level(bits + 1, 0);
  for (int code = 0; code < g.num_points(); ++code) {
    const int q = g.level_of_code(code);
    const int l = bit_level(g, q);
    BOOST_TEST_REQUIRE((l >= 1 && l <= bits));
    ++per_level[l];
    // Smallest l with q divisible by 2^(b-l).
    BOOST_TEST(q % (1 << (bits - l)) == 0);
    if (l > 1) BOOST_TEST(q % (1 << (bits - l + 1)) != 0);
  }
  // The l-bit sub-grid has 2^l points: 2 at level 1, 2^(l-1) new ones at l.
  BOOST_TEST((per_level[1] == 2 || bits == 1));
  for (int l = 2; l <= bits; ++l) BOOST_TEST(per_level[l] == (1 << (l - 1)));
}

BOOST_DATA_TEST_CASE(hierarchical_survivors_are_the_coarser_grid, kNested * bdata::xrange(1, 9), kind, bits) {
  const GridSpec g = make_grid(kind, bits);
  for (int top = 1; top <= bits; ++top) {
    const auto keep = static_cast<LevelMask>(((1u << top) - 1u) << 1);
    const SurvivingGrid s = make_surviving_grid(g, keep);
    BOOST_TEST(s.count == (1 << top));
    BOOST_TEST(s.uniform_shift == bits - top);
    for (int i = 0; i < s.count; ++i) BOOST_TEST(s.q[i] == g.q_min() + i * (1 << (bits - top)));
    for (int j = 1; j < s.count; ++j) BOOST_TEST(s.tau[j] == 0.5f * (s.t[j - 1] + s.t[j]));
  }
}

BOOST_AUTO_TEST_CASE(bad_configurations_are_rejected) {
  const GridSpec sym = make_grid(GridKind::Symmetric, 3);
  const GridSpec sgn = make_grid(GridKind::Signed, 3);
  BOOST_CHECK_THROW(draw_dropbits_mask(sym, {0.5, DropBitsMode::Hierarchical}, 1, 0, 0), std::invalid_argument);
  BOOST_CHECK_NO_THROW(draw_dropbits_mask(sym, {0.0, DropBitsMode::Hierarchical}, 1, 0, 0));
  BOOST_CHECK_THROW(draw_dropbits_mask(sgn, {1.0, DropBitsMode::Hierarchical}, 1, 0, 0), std::invalid_argument);
  BOOST_CHECK_THROW(draw_dropbits_mask(sgn, {-0.1, DropBitsMode::Hierarchical}, 1, 0, 0), std::invalid_argument);
  BOOST_CHECK_THROW(draw_dropbits_mask(sgn, {std::nan(""), DropBitsMode::Hierarchical}, 1, 0, 0),
                    std::invalid_argument);
  BOOST_CHECK_THROW(make_surviving_grid(sgn, 0b0100), std::invalid_argument);  // level 1 dropped
  BOOST_CHECK_THROW(make_surviving_grid(sgn, 0b10010), std::invalid_argument); // level 4 on 3 bits
  BOOST_CHECK_THROW(make_surviving_grid(sym, 0b0110), std::invalid_argument);
  BOOST_TEST(draw_dropbits_mask(sgn, {0.0, DropBitsMode::Independent}, 1, 0, 0) == all_levels(3));
}

// Over N masks (distinct steps), each level's drop frequency is compared with
// its probability: P(m_l = 0) = p^(b-l+1); a level survives with probability
// prod_{k=2..l} (1 - p^(b-k+1)) (hierarchical) or 1 - p^(b-l+1)
// (independent). Tolerance: 5 binomial standard deviations, so a correct
// generator fails with probability below 1e-5 per comparison; the seed is
// fixed, so the test is deterministic.
BOOST_DATA_TEST_CASE(drop_frequencies_match_the_configured_probabilities,
                     bdata::make({2, 3, 4, 8}) * bdata::make({0.2, 0.5, 0.8}) *
                         bdata::make({DropBitsMode::Hierarchical, DropBitsMode::Independent}),
                     bits, p, mode) {
  const GridSpec g = make_grid(GridKind::Signed, bits);
  const DropBitsConfig cfg{p, mode};
  const int N = 40000;
  std::vector<int> survived(bits + 1, 0);
  int both_top_two_kept = 0;
  for (int step = 0; step < N; ++step) {
    const LevelMask keep = draw_dropbits_mask(g, cfg, 12345, static_cast<std::uint64_t>(step), 7);
    BOOST_REQUIRE(keep & (1u << 1));
    for (int l = 1; l <= bits; ++l) survived[l] += (keep >> l) & 1u;
    if (mode == DropBitsMode::Hierarchical) {
      // Survivors are always a prefix of levels.
      const LevelMask prefix_check = static_cast<LevelMask>(keep + 2u);
      BOOST_REQUIRE((prefix_check & (prefix_check - 1u)) == 0);
    }
    both_top_two_kept += ((keep >> bits) & 1u) && ((keep >> (bits - 1)) & 1u);
  }
  BOOST_TEST(survived[1] == N);
  double chain = 1.0;
  for (int l = 2; l <= bits; ++l) {
    const double keep_l = 1.0 - drop_probability(p, bits, l);
    chain *= keep_l;
    const double expected = mode == DropBitsMode::Hierarchical ? chain : keep_l;
    const double freq = static_cast<double>(survived[l]) / N;
    const double tol = 5.0 * std::sqrt(expected * (1.0 - expected) / N) + 1e-12;
    BOOST_TEST(std::fabs(freq - expected) <= tol,
               "level " << l << ": survived " << freq << ", expected " << expected << " +- " << tol);
  }
  // Independent mode: the top two levels' mask bits are independent draws.
  if (mode == DropBitsMode::Independent && bits >= 3) {
    const double expected = (1.0 - drop_probability(p, bits, bits)) * (1.0 - drop_probability(p, bits, bits - 1));
    const double freq = static_cast<double>(both_top_two_kept) / N;
    BOOST_TEST(std::fabs(freq - expected) <= 5.0 * std::sqrt(expected * (1.0 - expected) / N));
  }
}

BOOST_AUTO_TEST_CASE(drop_probability_is_p_to_the_b_minus_l_plus_1) {
  BOOST_TEST(drop_probability(0.5, 4, 4) == 0.5);
  BOOST_TEST(drop_probability(0.5, 4, 3) == 0.25);
  BOOST_TEST(drop_probability(0.5, 4, 2) == 0.125);
}

BOOST_AUTO_TEST_CASE(fixed_seed_reproduces_masks_exactly) {
  const GridSpec g = make_grid(GridKind::Unsigned, 8);
  const DropBitsConfig cfg{0.6, DropBitsMode::Independent};
  std::vector<LevelMask> first, second;
  for (std::uint64_t step = 0; step < 500; ++step)
    for (std::uint32_t tensor = 0; tensor < 4; ++tensor) {
      first.push_back(draw_dropbits_mask(g, cfg, 42, step, tensor));
      second.push_back(draw_dropbits_mask(g, cfg, 42, step, tensor));
    }
  BOOST_TEST(first == second, boost::test_tools::per_element());
  // A different seed, step or tensor gives a different stream.
  int differ_seed = 0, differ_tensor = 0;
  for (std::uint64_t step = 0; step < 500; ++step) {
    differ_seed += draw_dropbits_mask(g, cfg, 43, step, 0) != first[step * 4];
    differ_tensor += draw_dropbits_mask(g, cfg, 42, step, 1) != first[step * 4];
  }
  BOOST_TEST(differ_seed > 250);
  BOOST_TEST(differ_tensor > 250);
}

// Masks drawn by 1, 2 or 7 threads, each taking tensors in its own order,
// are identical: a draw depends only on (seed, step, tensor id).
BOOST_AUTO_TEST_CASE(masks_do_not_depend_on_thread_count) {
  const GridSpec g = make_grid(GridKind::Signed, 6);
  const DropBitsConfig cfg{0.5, DropBitsMode::Hierarchical};
  const std::uint32_t tensors = 256;
  auto draw_all = [&](unsigned threads) {
    std::vector<LevelMask> masks(tensors);
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t)
      pool.emplace_back([&, t] {
        for (std::uint32_t i = tensors; i-- > 0;)
          if (i % threads == t) masks[i] = draw_dropbits_mask(g, cfg, 9, 1234, i);
      });
    for (auto &th : pool) th.join();
    return masks;
  };
  const auto one = draw_all(1);
  BOOST_TEST(one == draw_all(2), boost::test_tools::per_element());
  BOOST_TEST(one == draw_all(7), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(counter_rng_is_philox4x32_10) {
  // Known-answer vector of Philox4x32-10 (Random123 kat_vectors): counter 0,
  // key 0. CounterRng(seed 0, step 0, tensor 0) differs from it only in the
  // purpose byte of the last counter word, so check the generator directly
  // and that purposes separate streams.
  r123::Philox4x32 philox;
  const auto out = philox(r123::Philox4x32::ctr_type{{0, 0, 0, 0}}, r123::Philox4x32::key_type{{0, 0}});
  BOOST_TEST(out[0] == 0x6627e8d5u);
  BOOST_TEST(out[1] == 0xe169c58du);
  BOOST_TEST(out[2] == 0xbc57ac4cu);
  BOOST_TEST(out[3] == 0x9b00dbd8u);
  const CounterRng a(5, 6, 7, RandomPurpose::DropBits), b(5, 6, 7, RandomPurpose::HardConcrete);
  BOOST_TEST(a.u32(0) != b.u32(0));
  BOOST_TEST(a.uniform(3) > 0.0);
  BOOST_TEST(a.uniform(3) < 1.0);
  BOOST_CHECK_THROW(a.block(CounterRng::kMaxBlocks), std::out_of_range);
}
