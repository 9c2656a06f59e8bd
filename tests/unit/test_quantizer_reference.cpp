//===- test_quantizer_reference.cpp - the multi-class STE backward --------===//
//
// cpq-method.md section 3: the slow form (all K probabilities, chain rule)
// and the fast local form (closed forms over edges near x) agree, and both
// agree with central finite differences of E = sum_i pi_i g_i; on the full
// grid and on DropBits survivors; per tensor and per channel.
//
//===----------------------------------------------------------------------===//
#define BOOST_TEST_MODULE quantizer_reference
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "cpq/kernels/quantizer_reference.h"
#include "test_support.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace bdata = boost::unit_test::data;
using namespace cpq;
using testing::close;
using testing::floors;
using testing::Floors;
using reference::ElementGrad;

namespace {
const auto kKinds = bdata::make({GridKind::Signed, GridKind::Unsigned, GridKind::Symmetric});
const auto kBits = bdata::xrange(1, 9);

/// |a - b| <= rel * max(|a|, |b|) + abs_floor.
/// The grids a case runs on: the full grid and, on nested kinds with b >= 2,
/// one hierarchical and one independent DropBits mask drawn for this case.
std::vector<SurvivingGrid> grids_for(GridSpec g, std::uint64_t seed) {
  std::vector<SurvivingGrid> out{make_surviving_grid(g)};
  if (g.supports_dropbits() && g.bits >= 2) {
    for (auto mode : {DropBitsMode::Hierarchical, DropBitsMode::Independent}) {
      // Draw until something is dropped, so the case is not the full grid.
      for (std::uint64_t step = 0; step < 1000; ++step) {
        const LevelMask keep = draw_dropbits_mask(g, {0.7, mode}, seed, step, 3);
        if (keep != all_levels(g.bits)) {
          out.push_back(make_surviving_grid(g, keep));
          break;
        }
      }
    }
  }
  return out;
}

/// x values in units of alpha: uniform over the grid and 3 steps past its
/// ends, plus every grid point and every edge exactly.
std::vector<float> sample_t(const SurvivingGrid &s, std::mt19937 &rng, int random_count) {
  std::uniform_real_distribution<float> dist(s.t[0] - 3.0f, s.t[s.count - 1] + 3.0f);
  std::vector<float> t(random_count);
  for (auto &v : t) v = dist(rng);
  for (int i = 0; i < s.count; ++i) t.push_back(s.t[i]);
  for (int j = 1; j < s.count; ++j) t.push_back(s.tau[j]);
  return t;
}
} // namespace

// Slow and fast forms agree. In double to 1e-10 relative, plus 1e-8 of the
// largest term: the fast form leaves out edges with |u| > 20, each below
// e^-20 = 2e-9 of a term. The fast form in float32, as a kernel computes it,
// within the relative error 1e-4, plus 1e-7 of the largest term
// (float32 resolution) for sums that cancel or vanish far outside the grid.
BOOST_DATA_TEST_CASE(slow_and_fast_backward_agree, kKinds * kBits, kind, bits) {
  const GridSpec g = make_grid(kind, bits);
  std::mt19937 rng(31 * bits + static_cast<int>(kind));
  std::uniform_real_distribution<float> alpha_dist(0.05f, 2.0f), ratio_dist(0.05f, 1.5f), grad_dist(-2.0f, 2.0f);
  for (const SurvivingGrid &s : grids_for(g, bits)) {
    for (float t : sample_t(s, rng, 400)) {
      const float alpha = alpha_dist(rng), sigma = alpha * ratio_dist(rng), G = grad_dist(rng);
      const float x = alpha * t;
      const ElementGrad slow = reference::backward_slow(s, x, alpha, sigma, G);
      const ElementGrad fast = reference::backward_fast<double>(s, x, alpha, sigma, G);
      const ElementGrad fast32 = reference::backward_fast<float>(s, x, alpha, sigma, G);
      const Floors f64 = floors(s, x, alpha, sigma, G, 1e-8), f32 = floors(s, x, alpha, sigma, G, 1e-7);
      BOOST_TEST_CONTEXT("x=" << x << " alpha=" << alpha << " sigma=" << sigma << " keep=" << s.keep) {
        BOOST_TEST_REQUIRE(close(slow.dx, fast.dx, 1e-10, f64.dx), "dx " << slow.dx << " " << fast.dx);
        BOOST_TEST_REQUIRE(close(slow.dsigma, fast.dsigma, 1e-10, f64.dsigma), "dsigma " << slow.dsigma << " " << fast.dsigma);
        BOOST_TEST_REQUIRE(close(slow.dalpha, fast.dalpha, 1e-10, f64.dalpha), "dalpha " << slow.dalpha << " " << fast.dalpha);
        BOOST_TEST_REQUIRE(close(slow.dx, fast32.dx, 1e-4, f32.dx), "dx " << slow.dx << " " << fast32.dx);
        BOOST_TEST_REQUIRE(close(slow.dsigma, fast32.dsigma, 1e-4, f32.dsigma), "dsigma " << slow.dsigma << " " << fast32.dsigma);
        BOOST_TEST_REQUIRE(close(slow.dalpha, fast32.dalpha, 1e-4, f32.dalpha), "dalpha " << slow.dalpha << " " << fast32.dalpha);
      }
    }
  }
}

// Both forms agree with central finite differences of E = sum_i pi_i g_i
// (grid points held fixed): dL/dx and dL/dsigma directly, and the probability
// part dL/dalpha - G * t_hat. Differences in double, with steps that move
// every u_j = (alpha tau_j - x) / sigma by about 1e-4 (tau_j grows to 128 for
// alpha, u_j to about 20 for sigma). Tolerance 1e-5 relative, plus the floors
// above at 1e-7 (they cover the fast form's window and FD rounding).
BOOST_DATA_TEST_CASE(backward_matches_finite_differences, kKinds * kBits, kind, bits) {
  const GridSpec g = make_grid(kind, bits);
  std::mt19937 rng(57 * bits + static_cast<int>(kind));
  std::uniform_real_distribution<float> alpha_dist(0.05f, 2.0f), ratio_dist(0.1f, 1.5f);
  for (const SurvivingGrid &s : grids_for(g, 100 + bits)) {
    const double t_far = 1.0 + std::max(std::fabs(s.t[0]), std::fabs(s.t[s.count - 1]));
    for (float t : sample_t(s, rng, 150)) {
      const float alpha = alpha_dist(rng), sigma = alpha * ratio_dist(rng);
      const float x = alpha * t;
      const double X = x, A = alpha, S = sigma;
      auto E = [&](double x_, double a_edges, double s_) { return reference::expected_value(s, x_, a_edges, A, s_); };
      const double hx = 1e-4 * S, hs = 1e-4 * S / 20.0, ha = 1e-4 * S / t_far;
      const double fd_x = (E(X + hx, A, S) - E(X - hx, A, S)) / (2 * hx);
      const double fd_sigma = (E(X, A, S + hs) - E(X, A, S - hs)) / (2 * hs);
      const double fd_alpha = (E(X, A + ha, S) - E(X, A - ha, S)) / (2 * ha);
      const double t_hat = s.grid.t_of_level(reference::quantize_level(s, x, alpha));
      const Floors f = floors(s, x, alpha, sigma, 1.0f, 1e-7);
      for (const ElementGrad &an : {reference::backward_slow(s, x, alpha, sigma, 1.0f),
                                    reference::backward_fast<double>(s, x, alpha, sigma, 1.0f)}) {
        BOOST_TEST_CONTEXT("x=" << x << " alpha=" << alpha << " sigma=" << sigma << " keep=" << s.keep) {
          BOOST_TEST_REQUIRE(close(an.dx, fd_x, 1e-5, f.dx), "dx " << an.dx << " fd " << fd_x);
          BOOST_TEST_REQUIRE(close(an.dsigma, fd_sigma, 1e-5, f.dsigma), "dsigma " << an.dsigma << " fd " << fd_sigma);
          BOOST_TEST_REQUIRE(close(an.dalpha - t_hat, fd_alpha, 1e-5, f.dalpha),
                             "dalpha " << an.dalpha - t_hat << " fd " << fd_alpha);
        }
      }
    }
  }
}

// Section 3: "near-edge values get large gradients and values at grid points
// small ones: this is what makes weights cluster".
BOOST_DATA_TEST_CASE(edges_get_larger_gradients_than_grid_points, kKinds * bdata::xrange(2, 9), kind, bits) {
  const SurvivingGrid s = make_surviving_grid(make_grid(kind, bits));
  const float alpha = 0.5f, sigma = 0.05f; // sigma = alpha / 10
  for (int j = 1; j < s.count; ++j) {
    const double at_edge = reference::backward_fast(s, alpha * s.tau[j], alpha, sigma, 1.0f).dx;
    const double at_point = reference::backward_fast(s, alpha * s.t[j], alpha, sigma, 1.0f).dx;
    BOOST_TEST(at_edge > 10.0 * at_point);
  }
}

// Tensor functions over awkward sizes: slow and fast reductions agree, x_hat
// and codes follow the element forward, and (sizes up to 63) a per-channel
// run with equal alphas sums to the per-tensor run. Sizes divisible by 3 run
// with 3 channels of different alpha and sigma, the others per tensor.
BOOST_DATA_TEST_CASE(tensor_forward_and_backward, bdata::make({1, 3, 33, 63, 1000003}) * kKinds * kBits, n, kind,
                     bits) {
  const GridSpec g = make_grid(kind, bits);
  const SurvivingGrid s = grids_for(g, 7).back();
  std::mt19937 rng(n + 11 * bits + static_cast<int>(kind));
  std::uniform_real_distribution<float> t_dist(s.t[0] - 2.0f, s.t[s.count - 1] + 2.0f), grad_dist(-1.0f, 1.0f);
  const std::size_t channels = n % 3 == 0 ? 3 : 1;
  const reference::ChannelLayout per_channel{1, channels, static_cast<std::size_t>(n) / channels};
  const auto per_tensor = reference::ChannelLayout::per_tensor(static_cast<std::size_t>(n));
  std::vector<float> alpha{0.3f, 0.7f, 1.1f}, sigma{0.2f, 0.35f, 0.5f};
  std::vector<float> x(n), grad(n), x_hat(n), gx_slow(n), gx_fast(n);
  for (int i = 0; i < n; ++i) {
    x[i] = alpha[per_channel.channel_of(i)] * t_dist(rng);
    grad[i] = grad_dist(rng);
  }
  std::vector<std::uint8_t> codes(n);
  reference::quantize_forward(s, per_channel, x.data(), alpha.data(), x_hat.data(), codes.data());
  for (int i = 0; i < n; i += 1 + n / 1000) {
    const float a = alpha[per_channel.channel_of(i)];
    const int q = reference::quantize_level(s, x[i], a);
    BOOST_TEST_REQUIRE(x_hat[i] == reference::dequantize(g, q, a));
    BOOST_TEST_REQUIRE(int(codes[i]) == g.code_of_level(q));
  }
  std::vector<double> ga_slow(channels), gs_slow(channels), ga_fast(channels), gs_fast(channels);
  reference::quantize_backward(reference::BackwardForm::Fast, s, per_channel, x.data(), alpha.data(), sigma.data(),
                               grad.data(), gx_fast.data(), ga_fast.data(), gs_fast.data());
  reference::quantize_backward(reference::BackwardForm::Slow, s, per_channel, x.data(), alpha.data(), sigma.data(),
                               grad.data(), gx_slow.data(), ga_slow.data(), gs_slow.data());
  // Per element as in slow_and_fast_backward_agree; per channel the floors add up.
  std::vector<double> floor_alpha(channels), floor_sigma(channels);
  for (int i = 0; i < n; ++i) {
    const std::size_t c = per_channel.channel_of(i);
    const Floors f = floors(s, x[i], alpha[c], sigma[c], grad[i], 1e-8);
    BOOST_TEST_REQUIRE(close(gx_slow[i], gx_fast[i], 1e-6, f.dx));
    floor_alpha[c] += f.dalpha;
    floor_sigma[c] += f.dsigma;
  }
  for (std::size_t c = 0; c < channels; ++c) {
    BOOST_TEST(close(ga_slow[c], ga_fast[c], 1e-8, floor_alpha[c]), ga_slow[c] << " " << ga_fast[c]);
    BOOST_TEST(close(gs_slow[c], gs_fast[c], 1e-8, floor_sigma[c]), gs_slow[c] << " " << gs_fast[c]);
  }
  if (n > 100000) return;
  // Equal alphas and sigmas: the channels' sums are the per-tensor result.
  std::vector<float> same_alpha(channels, 0.7f), same_sigma(channels, 0.35f);
  double ga_t = 0, gs_t = 0;
  reference::quantize_backward(reference::BackwardForm::Fast, s, per_channel, x.data(), same_alpha.data(),
                               same_sigma.data(), grad.data(), gx_fast.data(), ga_fast.data(), gs_fast.data());
  reference::quantize_backward(reference::BackwardForm::Fast, s, per_tensor, x.data(), same_alpha.data(),
                               same_sigma.data(), grad.data(), gx_slow.data(), &ga_t, &gs_t);
  double ga_sum = 0, gs_sum = 0;
  for (std::size_t c = 0; c < channels; ++c) ga_sum += ga_fast[c], gs_sum += gs_fast[c];
  BOOST_TEST(close(ga_sum, ga_t, 1e-12, 1e-12));
  BOOST_TEST(close(gs_sum, gs_t, 1e-12, 1e-12));
}

BOOST_AUTO_TEST_CASE(bad_scales_are_rejected) {
  const SurvivingGrid s = make_surviving_grid(make_grid(GridKind::Signed, 4));
  const auto layout = reference::ChannelLayout::per_tensor(2);
  float x[2] = {0.1f, 0.2f}, out[2], g[2] = {1, 1};
  double ga, gs;
  for (float bad : {0.0f, -1.0f, std::nanf(""), INFINITY}) {
    const float good = 0.5f;
    BOOST_CHECK_THROW(reference::quantize_forward(s, layout, x, &bad, out), std::invalid_argument);
    BOOST_CHECK_THROW(reference::quantize_backward(reference::BackwardForm::Fast, s, layout, x, &bad, &good, g, out, &ga, &gs),
                      std::invalid_argument);
    BOOST_CHECK_THROW(reference::quantize_backward(reference::BackwardForm::Slow, s, layout, x, &good, &bad, g, out, &ga, &gs),
                      std::invalid_argument);
  }
}
