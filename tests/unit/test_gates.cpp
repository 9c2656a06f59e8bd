//===- test_gates.cpp - learned bit-widths (section 5) ---------------------===//
//
// Hard-concrete gates, the gated residual quantizer and its gradients: binary
// gates reproduce hierarchical DropBits exactly; the gate gradients match
// finite differences; the regulariser and learned bit-width follow section 5.
//
//===----------------------------------------------------------------------===//
#define BOOST_TEST_MODULE gates
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "cpq/kernels/gates.h"
#include "test_support.h"

#include <cmath>
#include <random>
#include <vector>

namespace bdata = boost::unit_test::data;
using namespace cpq;
using testing::close;

namespace {
const auto kNested = bdata::make({GridKind::Signed, GridKind::Unsigned});

/// The gated forward in double, sum_l c_l x_hat_l, for finite differences in
/// the gates (x_hat_l held at their float values).
double gated_value(const reference::GatedGrids &gg, const GateSet &gates, float x, float alpha) {
  const auto c = reference::gate_coefficients(gates);
  double out = 0;
  for (int l = 1; l <= gg.grid.bits; ++l)
    out += c[l - 1] * reference::dequantize(gg.grid, reference::quantize_level(gg.sub[l - 1], x, alpha), alpha);
  return out;
}

/// Expected value of the gated quantizer with the gates held fixed: the
/// smooth function whose derivatives the STE parts must match.
double gated_expected(const reference::GatedGrids &gg, const GateSet &gates, double x, double alpha, double sigma) {
  const auto c = reference::gate_coefficients(gates);
  double out = 0;
  for (int l = 1; l <= gg.grid.bits; ++l) out += c[l - 1] * reference::expected_value(gg.sub[l - 1], x, alpha, alpha, sigma);
  return out;
}
} // namespace

BOOST_AUTO_TEST_CASE(hard_concrete_sample_and_its_derivative) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> u_dist(1e-6, 1 - 1e-6), la_dist(-4, 4);
  int interior = 0;
  for (int i = 0; i < 5000; ++i) {
    const double u = u_dist(rng), log_a = la_dist(rng);
    const GateValue g = hard_concrete_sample(log_a, u);
    BOOST_TEST_REQUIRE((g.z >= 0.0 && g.z <= 1.0));
    if (g.z <= 0.0 || g.z >= 1.0) {
      BOOST_TEST_REQUIRE(g.dz_dlog_a == 0.0);
      continue;
    }
    const double h = 1e-6;
    const double fd = (hard_concrete_sample(log_a + h, u).z - hard_concrete_sample(log_a - h, u).z) / (2 * h);
    if (hard_concrete_sample(log_a + h, u).z >= 1.0 || hard_concrete_sample(log_a - h, u).z <= 0.0) continue;
    ++interior;
    BOOST_TEST_REQUIRE(close(g.dz_dlog_a, fd, 1e-6, 1e-9));
  }
  BOOST_TEST(interior > 1000);
  // Evaluation gate: clamp(S(log_a) * 1.2 - 0.1, 0, 1).
  BOOST_TEST(close(hard_concrete_deterministic(0.0), 0.5, 1e-15, 0));
  BOOST_TEST(hard_concrete_deterministic(20.0) == 1.0);
  BOOST_TEST(hard_concrete_deterministic(-20.0) == 0.0);
}

// Monte Carlo over the project's generator: the frequency of z != 0 matches
// S(log_a - beta log(-gamma/zeta)) within 5 binomial standard deviations.
BOOST_DATA_TEST_CASE(prob_nonzero_matches_sampling, bdata::make({-3.0, -1.0, 0.0, 1.5, 3.0}), log_a) {
  const int N = 100000;
  int nonzero = 0;
  const double la[1] = {log_a};
  for (int step = 0; step < N; ++step) nonzero += draw_gates(2, la, 5, static_cast<std::uint64_t>(step), 1).z(2) != 0.0;
  const double p = hard_concrete_prob_nonzero(log_a), freq = double(nonzero) / N;
  BOOST_TEST(std::fabs(freq - p) <= 5 * std::sqrt(p * (1 - p) / N), "freq " << freq << " p " << p);
}

BOOST_AUTO_TEST_CASE(gates_are_reproducible) {
  const double log_a[7] = {0.1, -0.5, 1.0, 2.0, -1.0, 0.0, 0.3};
  for (std::uint64_t step = 0; step < 100; ++step) {
    const GateSet a = draw_gates(8, log_a, 11, step, 4), b = draw_gates(8, log_a, 11, step, 4);
    for (int l = 2; l <= 8; ++l) BOOST_TEST_REQUIRE(a.z(l) == b.z(l));
  }
}

// Section 5: "With binary gates this is exactly hierarchical DropBits."
BOOST_DATA_TEST_CASE(binary_gates_are_hierarchical_dropbits, kNested * bdata::xrange(1, 9), kind, bits) {
  const GridSpec g = make_grid(kind, bits);
  const auto gg = reference::make_gated_grids(g);
  std::mt19937 rng(bits * 5 + static_cast<int>(kind));
  for (int top = 1; top <= bits; ++top) {
    GateSet gates = fixed_gates(bits, {});
    for (int l = 2; l <= bits; ++l) gates.level[l - 2].z = l <= top ? 1.0 : 0.0;
    const SurvivingGrid s = make_surviving_grid(g, static_cast<LevelMask>(((1u << top) - 1u) << 1));
    std::uniform_real_distribution<float> t_dist(s.t[0] - 2.0f, s.t[s.count - 1] + 2.0f);
    for (int i = 0; i < 300; ++i) {
      const float alpha = 0.3f, sigma = 0.1f, x = alpha * t_dist(rng);
      const float expected = reference::dequantize(g, reference::quantize_level(s, x, alpha), alpha);
      BOOST_TEST_REQUIRE(reference::gated_forward(gg, gates, x, alpha) == expected);
      const auto gated = reference::gated_backward(gg, gates, x, alpha, sigma, 1.0f);
      const auto plain = reference::backward_fast<double>(s, x, alpha, sigma, 1.0f);
      BOOST_TEST_REQUIRE(gated.ste.dx == plain.dx);
      BOOST_TEST_REQUIRE(gated.ste.dalpha == plain.dalpha);
      BOOST_TEST_REQUIRE(gated.ste.dsigma == plain.dsigma);
    }
  }
}

// Fractional gates: dL/dz_k matches differences of the (multilinear) forward
// in z_k; the STE parts match central differences of the gated expected
// value, in both backward forms; dL/dlog_a = dL/dz dz/dlog_a matches
// differences of the forward in log_a at a fixed noise draw.
BOOST_DATA_TEST_CASE(gate_gradients_match_finite_differences, kNested * bdata::xrange(2, 9), kind, bits) {
  const GridSpec g = make_grid(kind, bits);
  const auto gg = reference::make_gated_grids(g);
  std::mt19937 rng(bits * 7 + static_cast<int>(kind));
  std::uniform_real_distribution<double> la_dist(-1.0, 2.5);
  std::uniform_real_distribution<float> t_dist(g.t_of_level(g.q_min()) - 2.0f, g.t_of_level(g.q_max()) + 2.0f);
  for (int trial = 0; trial < 60; ++trial) {
    double log_a[kMaxBits];
    for (int l = 2; l <= bits; ++l) log_a[l - 2] = la_dist(rng);
    const GateSet gates = draw_gates(bits, log_a, 17, static_cast<std::uint64_t>(trial), 2);
    const float alpha = 0.4f, sigma = 0.15f, x = alpha * t_dist(rng);
    const auto fast = reference::gated_backward<reference::BackwardForm::Fast>(gg, gates, x, alpha, sigma, 1.0f);
    const auto slow = reference::gated_backward<reference::BackwardForm::Slow>(gg, gates, x, alpha, sigma, 1.0f);
    BOOST_TEST_CONTEXT("trial " << trial << " x=" << x) {
      for (int k = 2; k <= bits; ++k) {
        GateSet up = gates, down = gates;
        const double h = 1e-3;
        up.level[k - 2].z += h;
        down.level[k - 2].z -= h;
        const double fd = (gated_value(gg, up, x, alpha) - gated_value(gg, down, x, alpha)) / (2 * h);
        BOOST_TEST_REQUIRE(close(fast.dz[k - 2], fd, 1e-8, 1e-10), "dz" << k << " " << fast.dz[k - 2] << " fd " << fd);
        BOOST_TEST_REQUIRE(slow.dz[k - 2] == fast.dz[k - 2]);
      }
      const double hx = 1e-4 * sigma;
      const double fd_x = (gated_expected(gg, gates, double(x) + hx, alpha, sigma) -
                           gated_expected(gg, gates, double(x) - hx, alpha, sigma)) / (2 * hx);
      const double fd_s = (gated_expected(gg, gates, x, alpha, sigma + hx / 20) -
                           gated_expected(gg, gates, x, alpha, sigma - hx / 20)) / (hx / 10);
      for (const auto *an : {&fast, &slow}) {
        BOOST_TEST_REQUIRE(close(an->ste.dx, fd_x, 1e-5, 1e-7 * alpha / sigma * (1 << bits)), an->ste.dx << " fd " << fd_x);
        BOOST_TEST_REQUIRE(close(an->ste.dsigma, fd_s, 1e-5, 1e-6 * alpha / sigma * (1 << bits)), an->ste.dsigma << " fd " << fd_s);
      }
      // dL/dlog_a through the sampled gate, at a fixed uniform draw.
      const CounterRng rng123(17, static_cast<std::uint64_t>(trial), 2, RandomPurpose::HardConcrete);
      for (int k = 2; k <= bits; ++k) {
        const double analytic = fast.dz[k - 2] * gates.level[k - 2].dz_dlog_a;
        const double h = 1e-6;
        GateSet up = gates, down = gates;
        up.level[k - 2] = hard_concrete_sample(log_a[k - 2] + h, rng123.uniform(k - 2));
        down.level[k - 2] = hard_concrete_sample(log_a[k - 2] - h, rng123.uniform(k - 2));
        const bool inside = up.level[k - 2].z < 1.0 && down.level[k - 2].z > 0.0;
        if (!inside) continue; // the clamp's kink sits inside the difference
        const double fd = (gated_value(gg, up, x, alpha) - gated_value(gg, down, x, alpha)) / (2 * h);
        // Rounding of the differences: about 1e-16 of |x_hat| <= alpha 2^b, over h.
        const double floor = 1e-14 * alpha * (1 << bits) / h;
        BOOST_TEST_REQUIRE(close(analytic, fd, 1e-5, floor), "dlog_a" << k << " " << analytic << " fd " << fd);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(regulariser_and_learned_bits) {
  const double log_a[7] = {3.0, 2.0, -0.5, 4.0, -3.0, 1.0, 0.0};
  double grad[7];
  const double r = expected_extra_bits(8, log_a, grad);
  // Direct: sum over l of prod_{k<=l} P(z_k != 0).
  double direct = 0, run = 1;
  for (int l = 2; l <= 8; ++l) direct += (run *= hard_concrete_prob_nonzero(log_a[l - 2]));
  BOOST_TEST(close(r, direct, 1e-14, 0));
  for (int k = 0; k < 7; ++k) {
    double up[7], down[7];
    std::copy(log_a, log_a + 7, up);
    std::copy(log_a, log_a + 7, down);
    up[k] += 1e-6;
    down[k] -= 1e-6;
    const double fd = (expected_extra_bits(8, up) - expected_extra_bits(8, down)) / 2e-6;
    BOOST_TEST(close(grad[k], fd, 1e-6, 1e-10));
  }
  // Levels 2 and 3 have gates above 0.5, level 4 (log_a -0.5) does not.
  BOOST_TEST(hard_concrete_deterministic(-0.5) < 0.5);
  BOOST_TEST(learned_bits(8, log_a) == 3);
  BOOST_TEST(learned_bits(1, log_a) == 1);
  BOOST_CHECK_THROW(reference::make_gated_grids(make_grid(GridKind::Symmetric, 4)), std::invalid_argument);
}
