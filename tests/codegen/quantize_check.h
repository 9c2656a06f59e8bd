//===- quantize_check.h - compare a quantizer kernel with the reference ----===//
//
// Test inputs for a quantizer kernel and the comparison of its outputs with
// the scalar reference of kernels/: the forward bit-exactly, dL/dx within
// 1e-4 relative, the per-channel sums within 1e-4 relative; each with an
// absolute floor at float32 resolution of the largest term of section 3's
// sums (as in tests/unit/test_quantizer_reference.cpp), since those sums
// cancel to zero at cell centres and vanish far outside the grid. Gated
// kernels: the same, weighted by the gate coefficients, and dL/dlog_a within
// 1e-4 relative plus a floor at float32 resolution of its terms.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "cpq/kernels/gates.h"
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
/// points and edges first; alpha and sigma differ per channel (sigma / alpha
/// 0.1, 0.4, 0.7, ... times `sigma_scale`: 0.05 makes noise so narrow that
/// the window needs 2 edges a side, fewer than most grids have).
inline QuantizeData make_quantize_data(const SurvivingGrid &s, QuantizeCase cs, std::mt19937 &rng,
                                       float sigma_scale = 1.0f) {
  QuantizeData d{Halide::Runtime::Buffer<float>(cs.inner, cs.channels, cs.outer),
                 Halide::Runtime::Buffer<float>(cs.inner, cs.channels, cs.outer),
                 Halide::Runtime::Buffer<float>(cs.channels), Halide::Runtime::Buffer<float>(cs.channels)};
  for (int c = 0; c < cs.channels; ++c) d.alpha(c) = 0.2f + 0.35f * c, d.sigma(c) = d.alpha(c) * (0.1f + 0.3f * c) * sigma_scale;
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

/// Checks a gated kernel's forward (bit-exact with reference::gated_forward)
/// and backward (reference::gated_backward) outputs.
inline void check_gated(const reference::GatedGrids &gg, const GateSet &gates, const QuantizeData &d,
                        const Halide::Runtime::Buffer<float> &x_hat, const Halide::Runtime::Buffer<float> &grad_x,
                        const Halide::Runtime::Buffer<double> &grad_alpha,
                        const Halide::Runtime::Buffer<double> &grad_sigma,
                        const Halide::Runtime::Buffer<double> &grad_log_a) {
  const int bits = gg.grid.bits, channels = d.alpha.dim(0).extent();
  const auto c = reference::gate_coefficients(gates);
  std::vector<double> want_a(channels), want_s(channels), floor_a(channels), floor_s(channels);
  std::vector<double> want_z(bits - 1), floor_z(bits - 1);
  bool fwd_ok = true, dx_ok = true;
  d.x.for_each_element([&](int i, int ch, int n) {
    const float xv = d.x(i, ch, n), G = d.grad(i, ch, n), a = d.alpha(ch), sg = d.sigma(ch);
    if (x_hat(i, ch, n) != reference::gated_forward(gg, gates, xv, a)) {
      if (fwd_ok) BOOST_TEST_MESSAGE("x_hat at " << i << "," << ch << "," << n << ": " << x_hat(i, ch, n));
      fwd_ok = false;
    }
    const auto e = reference::gated_backward(gg, gates, xv, a, sg, G);
    Floors f{0, 0, 0};
    for (int l = 1; l <= bits; ++l) {
      const Floors fl = floors(gg.sub[l - 1], xv, a, sg, G, 1e-7);
      f.dx += std::fabs(c[l - 1]) * fl.dx, f.dalpha += std::fabs(c[l - 1]) * fl.dalpha;
      f.dsigma += std::fabs(c[l - 1]) * fl.dsigma;
    }
    want_a[ch] += e.ste.dalpha, want_s[ch] += e.ste.dsigma;
    floor_a[ch] += f.dalpha, floor_s[ch] += f.dsigma;
    for (int k = 2; k <= bits; ++k) {
      want_z[k - 2] += e.dz[k - 2] * gates.level[k - 2].dz_dlog_a;
      floor_z[k - 2] += 1e-6 * std::fabs(G) * a * (1 << bits) * std::fabs(gates.level[k - 2].dz_dlog_a);
    }
    if (!close(grad_x(i, ch, n), e.ste.dx, 1e-4, f.dx)) {
      if (dx_ok) BOOST_TEST_MESSAGE("dx at " << i << "," << ch << "," << n << ": " << grad_x(i, ch, n) << " vs " << e.ste.dx);
      dx_ok = false;
    }
  });
  BOOST_TEST(fwd_ok, "gated forward is bit-exact");
  BOOST_TEST(dx_ok, "dL/dx within 1e-4 relative");
  for (int ch = 0; ch < channels; ++ch) {
    BOOST_TEST(close(grad_alpha(ch), want_a[ch], 1e-4, floor_a[ch]), "dalpha " << grad_alpha(ch) << " vs " << want_a[ch]);
    BOOST_TEST(close(grad_sigma(ch), want_s[ch], 1e-4, floor_s[ch]), "dsigma " << grad_sigma(ch) << " vs " << want_s[ch]);
  }
  for (int k = 2; k <= bits; ++k)
    BOOST_TEST(close(grad_log_a(k - 2), want_z[k - 2], 1e-4, floor_z[k - 2]),
               "dlog_a_" << k << " " << grad_log_a(k - 2) << " vs " << want_z[k - 2]);
}

/// Gates to test with: binary, evaluation-time, and drawn as training draws
/// them from log_a that open low levels and close high ones.
inline std::vector<GateSet> test_gate_sets(int bits, std::size_t count) {
  std::vector<double> log_a(bits - 1);
  for (int l = 2; l <= bits; ++l) log_a[l - 2] = 2.5 - 0.8 * (l - 2);
  std::vector<GateSet> sets{bits >= 3 ? fixed_gates(bits, {1.0, 0.0}) : fixed_gates(bits, {0.0}),
                            deterministic_gates(bits, log_a.data())};
  for (std::uint64_t step = 0; sets.size() < count; ++step) sets.push_back(draw_gates(bits, log_a.data(), 7, step, 2));
  return sets;
}

} // namespace cpq::testing
