//===- quantizer_reference.h - scalar reference of the CPQ quantizer -*- C++ -*-===//
//
// This file implements the plain scalar reference of the CPQ quantizer
// (cpq-method.md sections 2-3) that every generated kernel is tested against:
//
//   - the forward: the mode of the categorical over the surviving grid
//     points, i.e. round-to-nearest with clipping, in float32 in the order the
//     method fixes;
//   - the backward of the multi-class straight-through estimator in two forms:
//     `backward_slow` materialises all K probabilities and applies the chain
//     rule term by term; `backward_fast` uses the telescoped closed forms and
//     visits only the cell edges within `kEdgeWindow` noise scales of x;
//   - `expected_value`, E = sum_i pi_i g_i, whose central finite differences
//     the tests use to check both backward forms.
//
// Element functions take a `SurvivingGrid` (the grid after a DropBits mask);
// tensor functions add per-tensor or per-channel alpha and sigma.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "cpq/kernels/dropbits.h"
#include "cpq/kernels/grid.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace cpq::reference {

/// Edges further than this many noise scales from x are skipped by the fast
/// backward: S'(u) < exp(-|u|) = 2e-9 there, below float32 resolution of the
/// largest term S'(0) = 1/4 (cpq-method.md section 3: "S' underflows beyond
/// |u| ~ 20").
inline constexpr double kEdgeWindow = 20.0;

/// Edges a vectorised kernel must visit on each side of x so that every edge
/// with |u| <= kEdgeWindow is included, for a grid of (finest) cell width
/// `cell_t` in units of alpha and the largest sigma/alpha of the tensor's
/// channels: ceil(kEdgeWindow * sigma/alpha / cell_t) + 1, at most the number
/// of inner edges, points - 1 (from any cell, that many on each side reach
/// every edge).
inline int required_edge_window(GridSpec g, double max_sigma_over_alpha) {
  const double cell_t = static_cast<double>(g.q_step()) * g.t_per_q();
  const double w = std::ceil(kEdgeWindow * max_sigma_over_alpha / cell_t) + 1.0;
  return static_cast<int>(std::min<double>(w, g.num_points() - 1));
}

//===----------------------------------------------------------------------===//
// Forward (section 2)
//===----------------------------------------------------------------------===//

/// Clamp that maps NaN to `lo` (project choice: a NaN never becomes an
/// out-of-range level; data loaders reject NaN before it gets here).
inline float clamp_level(float r, float lo, float hi) { return std::fmin(std::fmax(r, lo), hi); }

/// Integer level of the mode on the full grid, float32 in the method's order:
///   signed, unsigned: q = clamp(floor(x / alpha + 0.5), q_min, q_max)
///   symmetric:        q = clamp(2 * floor(x / alpha) + 1, q_min, q_max)
/// Ties go up. Pass `Grid<Kind, Bits>::spec` for a compile-time grid.
inline int quantize_level(GridSpec g, float x, float alpha) {
  const float v = x / alpha;
  const float r = g.kind == GridKind::Symmetric ? 2.0f * std::floor(v) + 1.0f : std::floor(v + 0.5f);
  return static_cast<int>(clamp_level(r, static_cast<float>(g.q_min()), static_cast<float>(g.q_max())));
}

/// Integer level of the mode on the surviving points of a DropBits mask.
///  - Survivors forming the 2^shift-step sub-grid (every hierarchical mask):
///    section 2 on that sub-grid, q = clamp(floor(v / 2^shift + 0.5) * 2^shift)
///    with v = x / alpha; dividing by a power of two is exact, so this is the
///    same float arithmetic a kernel does on the coarser grid.
///  - Other survivor sets (independent masks): the last survivor whose lower
///    edge tau_j satisfies v >= tau_j, compared exactly (project choice; ties
///    go up as in section 2).
inline int quantize_level(const SurvivingGrid &s, float x, float alpha) {
  if (s.uniform_shift == 0) return quantize_level(s.grid, x, alpha);
  const float v = x / alpha;
  if (s.uniform_shift > 0) {
    const float step = static_cast<float>(1 << s.uniform_shift);
    const float r = std::floor(v / step + 0.5f) * step;
    return static_cast<int>(clamp_level(r, static_cast<float>(s.q_first()), static_cast<float>(s.q_last())));
  }
  // NaN maps to the lowest survivor, as clamp_level does on uniform grids.
  if (std::isnan(v)) return s.q[0];
  // tau[1..count-1] is increasing; find the last edge at or below v.
  const float *first = s.tau.data() + 1, *last = s.tau.data() + s.count;
  const auto j = static_cast<int>(std::upper_bound(first, last, v) - first);
  return s.q[j];
}

/// x_hat = alpha * q (signed, unsigned) or alpha * q / 2 (symmetric).
inline float dequantize(GridSpec g, int q, float alpha) {
  return g.kind == GridKind::Symmetric ? alpha * static_cast<float>(q) / 2.0f
                                       : alpha * static_cast<float>(q);
}

//===----------------------------------------------------------------------===//
// Backward (section 3)
//===----------------------------------------------------------------------===//

/// Gradients of one element: dL/dx, and its contributions to dL/dalpha and
/// dL/dsigma (summed over the elements sharing alpha and sigma).
struct ElementGrad {
  double dx = 0, dalpha = 0, dsigma = 0;
};

/// S'(u) = S(u)(1 - S(u)), written as e/(1+e)^2 with e = exp(-|u|) so it
/// neither overflows nor cancels for large |u|.
template <class Real> inline Real sigmoid_slope(Real u) {
  const Real e = std::exp(-std::fabs(u));
  return e / ((Real(1) + e) * (Real(1) + e));
}

inline double sigmoid(double u) {
  return u >= 0 ? 1.0 / (1.0 + std::exp(-u)) : std::exp(u) / (1.0 + std::exp(u));
}

/// Slow form: all K survivor probabilities pi_i = s_{i+1} - s_i (outer cells
/// reach to -inf and +inf, so s_0 = 0 and s_K = 1) and their derivatives by the
/// plain chain rule, applied to the straight-through surrogate
///   x_hat = sum_i (onehot_i + pi_i - stopgrad(pi_i)) * g_i.
/// Computed in double.
inline ElementGrad backward_slow(const SurvivingGrid &s, float x, float alpha, float sigma, float grad) {
  const int K = s.count;
  const double X = x, A = alpha, Sg = sigma;
  // d s_j / d{x, sigma, alpha} for the inner edges j = 1..K-1 (0 at j = 0, K).
  std::array<double, kMaxPoints + 1> ds_dx{}, ds_dsigma{}, ds_dalpha{};
  for (int j = 1; j < K; ++j) {
    const double e = A * s.tau[j];
    const double u = (e - X) / Sg;
    const double slope = sigmoid_slope(u);
    ds_dx[j] = slope * (-1.0 / Sg);
    ds_dsigma[j] = slope * (-u / Sg);
    ds_dalpha[j] = slope * (static_cast<double>(s.tau[j]) / Sg);
  }
  ElementGrad out;
  for (int i = 0; i < K; ++i) {
    const double g = A * s.t[i];
    out.dx += (ds_dx[i + 1] - ds_dx[i]) * g;
    out.dsigma += (ds_dsigma[i + 1] - ds_dsigma[i]) * g;
    out.dalpha += (ds_dalpha[i + 1] - ds_dalpha[i]) * g;
  }
  // Direct path: x_hat = alpha * t_mode, so d x_hat / d alpha = t_mode.
  const int q_mode = quantize_level(s, x, alpha);
  out.dalpha += static_cast<double>(s.grid.t_of_level(q_mode));
  out.dx *= grad;
  out.dsigma *= grad;
  out.dalpha *= grad;
  return out;
}

/// Fast local form, the closed forms of section 3 with dg_j = alpha * dt_j:
///   dL/dx     = G/sigma * sum_j dg_j S'(u_j)
///   dL/dsigma = G/sigma * sum_j dg_j S'(u_j) u_j
///   dL/dalpha = G * (t_hat - sum_j dg_j S'(u_j) tau_j / sigma)
/// summing only the edges with |u_j| <= kEdgeWindow. `Real` is the arithmetic
/// a kernel would use (float) or double for a tighter reference.
template <class Real = double>
inline ElementGrad backward_fast(const SurvivingGrid &s, float x, float alpha, float sigma, float grad) {
  const Real X = x, A = alpha, Sg = sigma;
  const Real reach = static_cast<Real>(kEdgeWindow) * Sg / A; // window in units of alpha
  const Real v = X / A;
  const float *edges = s.tau.data();
  // Inner edges tau[1..K-1] lie in increasing order: locate the window.
  const int j0 = static_cast<int>(std::lower_bound(edges + 1, edges + s.count, static_cast<float>(v - reach)) - edges);
  Real sum_dx = 0, sum_dsigma = 0, sum_dalpha = 0;
  for (int j = std::max(j0 - 1, 1); j < s.count; ++j) {
    const Real tau = edges[j];
    if (tau > v + reach) break;
    // fma: e_j - x with one rounding. In float32, A * tau rounded first
    // would shift u by eps * |tau| * alpha / sigma, which near far-out edges
    // dominates the cancelling sums of dL/dsigma and dL/dalpha.
    const Real u = std::fma(A, tau, -X) / Sg;
    const Real w = A * (static_cast<Real>(s.t[j]) - static_cast<Real>(s.t[j - 1])) * sigmoid_slope(u);
    sum_dx += w;
    sum_dsigma += w * u;
    sum_dalpha += w * tau;
  }
  const int q_mode = quantize_level(s, x, alpha);
  const Real t_hat = s.grid.t_of_level(q_mode);
  const Real G = grad;
  ElementGrad out;
  out.dx = static_cast<double>(G * sum_dx / Sg);
  out.dsigma = static_cast<double>(G * sum_dsigma / Sg);
  out.dalpha = static_cast<double>(G * (t_hat - sum_dalpha / Sg));
  return out;
}

/// E = sum_i pi_i * g_i with the edges placed by `alpha_edges` and the points
/// by `alpha_points` (so finite differences in alpha can hold the points
/// fixed and isolate the probability path). Double precision.
inline double expected_value(const SurvivingGrid &s, double x, double alpha_edges, double alpha_points,
                             double sigma) {
  double e = 0, s_lo = 0;
  for (int i = 0; i < s.count; ++i) {
    const double s_hi = i + 1 < s.count ? sigmoid((alpha_edges * s.tau[i + 1] - x) / sigma) : 1.0;
    e += (s_hi - s_lo) * alpha_points * s.t[i];
    s_lo = s_hi;
  }
  return e;
}

//===----------------------------------------------------------------------===//
// Tensors
//===----------------------------------------------------------------------===//

/// Where alpha and sigma vary: a tensor seen as [outer, channels, inner]
/// (per-tensor: channels = 1; per output channel of OIHW weights: outer = 1,
/// channels = O, inner = I*H*W; per channel of NCHW activations: outer = N).
struct ChannelLayout {
  std::size_t outer = 1, channels = 1, inner = 0;

  static ChannelLayout per_tensor(std::size_t n) { return {1, 1, n}; }
  std::size_t size() const { return outer * channels * inner; }
  std::size_t channel_of(std::size_t i) const { return (i / inner) % channels; }
};

enum class BackwardForm { Slow, Fast };

/// alpha and sigma must be positive and finite in every channel.
inline void check_scales(const char *what, const float *v, std::size_t channels) {
  for (std::size_t c = 0; c < channels; ++c)
    if (!(v[c] > 0.0f) || !std::isfinite(v[c]))
      throw std::invalid_argument(std::string("quantizer ") + what + "[" + std::to_string(c) +
                                  "] = " + std::to_string(v[c]) + ": must be positive and finite");
}

/// Forward over a tensor: x_hat and (optionally) the b-bit codes that bit
/// packing stores.
inline void quantize_forward(const SurvivingGrid &s, ChannelLayout layout, const float *x,
                             const float *alpha, float *x_hat, std::uint8_t *codes = nullptr) {
  check_scales("alpha", alpha, layout.channels);
  const std::size_t n = layout.size();
  for (std::size_t i = 0; i < n; ++i) {
    const float a = alpha[layout.channel_of(i)];
    const int q = quantize_level(s, x[i], a);
    if (x_hat) x_hat[i] = dequantize(s.grid, q, a);
    if (codes) codes[i] = static_cast<std::uint8_t>(s.grid.code_of_level(q));
  }
}

/// Backward over a tensor: grad_x per element, grad_alpha and grad_sigma per
/// channel (overwritten, accumulated in double).
inline void quantize_backward(BackwardForm form, const SurvivingGrid &s, ChannelLayout layout,
                              const float *x, const float *alpha, const float *sigma,
                              const float *grad_out, float *grad_x, double *grad_alpha,
                              double *grad_sigma) {
  check_scales("alpha", alpha, layout.channels);
  check_scales("sigma", sigma, layout.channels);
  std::fill(grad_alpha, grad_alpha + layout.channels, 0.0);
  std::fill(grad_sigma, grad_sigma + layout.channels, 0.0);
  const std::size_t n = layout.size();
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t c = layout.channel_of(i);
    const ElementGrad g = form == BackwardForm::Slow
                              ? backward_slow(s, x[i], alpha[c], sigma[c], grad_out[i])
                              : backward_fast<double>(s, x[i], alpha[c], sigma[c], grad_out[i]);
    grad_x[i] = static_cast<float>(g.dx);
    grad_alpha[c] += g.dalpha;
    grad_sigma[c] += g.dsigma;
  }
}

} // namespace cpq::reference
