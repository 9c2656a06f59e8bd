//===- quantize_check.h - compare a quantizer kernel with the reference ----===//
//
// Test inputs for a quantizer kernel and the comparison of its outputs with
// the scalar reference of kernels/: the forward bit-exactly, dL/dx within
// 1e-4 relative, the per-channel sums within 1e-4 relative; each with an
// absolute floor at float32 resolution of the largest term of section 3's
// sums (as in tests/unit/test_quantizer_reference.cpp), since those sums
// cancel to zero at cell centres and vanish far outside the grid.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "cpq/kernels/quantizer_reference.h"
#include "../unit/test_support.h"

#include <HalideBuffer.h>
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace cpq::testing {

struct QuantizeCase {
  int inner, channels, outer;
};

struct QuantizeData {
  Halide::Runtime::Buffer<float> x, grad, alpha, sigma;
  int edge_window = 1;
};

/// x over the surviving grid and two steps past its ends, with exact grid
/// points and edges first; alpha and sigma differ per channel.
inline QuantizeData make_quantize_data(const SurvivingGrid &s, QuantizeCase cs, std::mt19937 &rng) {
  QuantizeData d{Halide::Runtime::Buffer<float>(cs.inner, cs.channels, cs.outer),
                 Halide::Runtime::Buffer<float>(cs.inner, cs.channels, cs.outer),
                 Halide::Runtime::Buffer<float>(cs.channels), Halide::Runtime::Buffer<float>(cs.channels)};
  for (int c = 0; c < cs.channels; ++c) d.alpha(c) = 0.2f + 0.35f * c, d.sigma(c) = d.alpha(c) * (0.1f + 0.3f * c);
  std::uniform_real_distribution<float> t_dist(s.t[0] - 2.0f, s.t[s.count - 1] + 2.0f), g_dist(-1.0f, 1.0f);
  d.x.for_each_element([&](int i, int c, int n) {
    d.x(i, c, n) = d.alpha(c) * t_dist(rng);
    d.grad(i, c, n) = g_dist(rng);
  });
  const int size = cs.inner * cs.channels * cs.outer;
  for (int k = 0; k < std::min(size, 2 * s.count - 1); ++k) {
    const int i = k % cs.inner, c = (k / cs.inner) % cs.channels, n = (k / cs.inner / cs.channels) % cs.outer;
    d.x(i, c, n) = d.alpha(c) * (k % 2 ? s.tau[k / 2 + 1] : s.t[k / 2]);
  }
  double max_ratio = 0;
  for (int c = 0; c < cs.channels; ++c) max_ratio = std::max(max_ratio, double(d.sigma(c)) / d.alpha(c));
  d.edge_window = reference::required_edge_window(s.grid, max_ratio);
  return d;
}

/// Checks a kernel's forward output (x_hat) bit-exactly.
inline void check_forward(const SurvivingGrid &s, const QuantizeData &d, const Halide::Runtime::Buffer<float> &x_hat) {
  bool ok = true;
  d.x.for_each_element([&](int i, int c, int n) {
    const int q = reference::quantize_level(s, d.x(i, c, n), d.alpha(c));
    if (x_hat(i, c, n) != reference::dequantize(s.grid, q, d.alpha(c))) {
      if (ok) BOOST_TEST_MESSAGE("x_hat at " << i << "," << c << "," << n << ": " << x_hat(i, c, n));
      ok = false;
    }
  });
  BOOST_TEST(ok, "forward is bit-exact");
}

/// Checks a kernel's backward outputs against backward_fast<double>.
inline void check_backward(const SurvivingGrid &s, const QuantizeData &d, const Halide::Runtime::Buffer<float> &grad_x,
                           const Halide::Runtime::Buffer<double> &grad_alpha,
                           const Halide::Runtime::Buffer<double> &grad_sigma) {
  const int channels = d.alpha.dim(0).extent();
  std::vector<double> want_a(channels), want_s(channels), floor_a(channels), floor_s(channels);
  bool ok = true;
  d.x.for_each_element([&](int i, int c, int n) {
    const float xv = d.x(i, c, n), G = d.grad(i, c, n);
    const auto e = reference::backward_fast<double>(s, xv, d.alpha(c), d.sigma(c), G);
    want_a[c] += e.dalpha;
    want_s[c] += e.dsigma;
    const Floors f = floors(s, xv, d.alpha(c), d.sigma(c), G, 1e-7);
    floor_a[c] += f.dalpha;
    floor_s[c] += f.dsigma;
    if (!close(grad_x(i, c, n), e.dx, 1e-4, f.dx)) {
      if (ok) BOOST_TEST_MESSAGE("dx at " << i << "," << c << "," << n << ": " << grad_x(i, c, n) << " vs " << e.dx);
      ok = false;
    }
  });
  BOOST_TEST(ok, "dL/dx within 1e-4 relative");
  for (int c = 0; c < channels; ++c) {
    BOOST_TEST(close(grad_alpha(c), want_a[c], 1e-4, floor_a[c]), "dalpha " << grad_alpha(c) << " vs " << want_a[c]);
    BOOST_TEST(close(grad_sigma(c), want_s[c], 1e-4, floor_s[c]), "dsigma " << grad_sigma(c) << " vs " << want_s[c]);
  }
}

} // namespace cpq::testing
