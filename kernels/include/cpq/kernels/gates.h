//===- gates.h - learned bit-widths: hard-concrete gates (section 5) -*- C++ -*-===//
//
// This file implements the scalar reference of cpq-method.md section 5:
//
//   - hard-concrete gates z_l in [0, 1] with learnable log_a_l (L0
//     regularisation of Louizos, Welling and Kingma 2018), sampled from the
//     project's counter-based generator, deterministic at evaluation;
//   - the gated residual quantizer
//       x_hat = x_hat_1 + sum_{l=2..b} Z_l (x_hat_l - x_hat_{l-1}),
//       Z_l = prod_{k=2..l} z_k,
//     with x_hat_l the quantizer output on the l-bit sub-grid, and its
//     backward: the multi-class STE of each sub-grid weighted by its
//     coefficient, and the exact gradient of the gates;
//   - the regulariser (expected number of stored bits beyond the first) and
//     the learned bit-width.
//
// Gate arrays are indexed by level: entry l - 2 belongs to level l = 2..b.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "cpq/kernels/dropbits.h"
#include "cpq/kernels/quantizer_reference.h"
#include "cpq/kernels/random.h"

#include <array>
#include <cmath>
#include <initializer_list>
#include <stdexcept>
#include <string>

namespace cpq {

/// Hard-concrete parameters (defaults of Louizos et al. 2018).
struct HardConcrete {
  double beta = 2.0 / 3.0;
  double gamma = -0.1;
  double zeta = 1.1;
};

/// A gate value and its derivative with respect to log_a.
struct GateValue {
  double z = 1.0;
  double dz_dlog_a = 0.0;
};

/// A training-time gate from a uniform draw u in (0, 1):
///   s = S((log u - log(1 - u) + log_a) / beta),
///   z = clamp(s (zeta - gamma) + gamma, 0, 1).
/// dz/dlog_a = (zeta - gamma) s (1 - s) / beta inside (0, 1), else 0.
inline GateValue hard_concrete_sample(double log_a, double u, const HardConcrete &hc = {}) {
  const double s = reference::sigmoid((std::log(u) - std::log1p(-u) + log_a) / hc.beta);
  const double stretched = s * (hc.zeta - hc.gamma) + hc.gamma;
  if (stretched <= 0.0) return {0.0, 0.0};
  if (stretched >= 1.0) return {1.0, 0.0};
  return {stretched, (hc.zeta - hc.gamma) * s * (1.0 - s) / hc.beta};
}

/// The evaluation-time gate: clamp(S(log_a) (zeta - gamma) + gamma, 0, 1).
inline double hard_concrete_deterministic(double log_a, const HardConcrete &hc = {}) {
  const double stretched = reference::sigmoid(log_a) * (hc.zeta - hc.gamma) + hc.gamma;
  return std::fmin(1.0, std::fmax(0.0, stretched));
}

/// P(z != 0) = S(log_a - beta log(-gamma / zeta)).
inline double hard_concrete_prob_nonzero(double log_a, const HardConcrete &hc = {}) {
  return reference::sigmoid(log_a - hc.beta * std::log(-hc.gamma / hc.zeta));
}

/// The gates of one tensor at one step, for levels 2..bits.
struct GateSet {
  int bits = 1;
  std::array<GateValue, kMaxBits> level{}; // level[l - 2] for l = 2..bits
  double z(int l) const { return level[l - 2].z; }
};

/// Training-time gates of one tensor: level l's uniform is word l - 2 of the
/// stream (seed, step, tensor_id, HardConcrete).
inline GateSet draw_gates(int bits, const double *log_a, std::uint64_t seed, std::uint64_t step,
                          std::uint32_t tensor_id, const HardConcrete &hc = {}) {
  GateSet g;
  g.bits = bits;
  const CounterRng rng(seed, step, tensor_id, RandomPurpose::HardConcrete);
  for (int l = 2; l <= bits; ++l) g.level[l - 2] = hard_concrete_sample(log_a[l - 2], rng.uniform(l - 2), hc);
  return g;
}

/// Evaluation-time gates (no noise, no gradient).
inline GateSet deterministic_gates(int bits, const double *log_a, const HardConcrete &hc = {}) {
  GateSet g;
  g.bits = bits;
  for (int l = 2; l <= bits; ++l) g.level[l - 2] = {hard_concrete_deterministic(log_a[l - 2], hc), 0.0};
  return g;
}

/// Gates fixed to given values (binary gates reproduce hierarchical DropBits).
inline GateSet fixed_gates(int bits, std::initializer_list<double> z) {
  GateSet g;
  g.bits = bits;
  int l = 2;
  for (double v : z) g.level[(l++) - 2] = {v, 0.0};
  for (; l <= bits; ++l) g.level[l - 2] = {1.0, 0.0};
  return g;
}

/// Learned bit-width: 1 + the number of consecutive levels from 2 upward whose
/// deterministic gate exceeds 0.5.
inline int learned_bits(int bits, const double *log_a, const HardConcrete &hc = {}) {
  int b = 1;
  while (b < bits && hard_concrete_deterministic(log_a[b - 1], hc) > 0.5) ++b;
  return b;
}

/// Per-element regulariser sum_l prod_{k<=l} P(z_k != 0) (the tensor's term
/// is lambda * n_elements times this), and its gradient in log_a.
inline double expected_extra_bits(int bits, const double *log_a, double *grad_log_a = nullptr,
                                  const HardConcrete &hc = {}) {
  std::array<double, kMaxBits> p{}, prefix{};
  double total = 0, run = 1;
  for (int l = 2; l <= bits; ++l) {
    p[l - 2] = hard_concrete_prob_nonzero(log_a[l - 2], hc);
    run *= p[l - 2];
    prefix[l - 2] = run;
    total += run;
  }
  if (grad_log_a) {
    // d prefix_l / d log_a_k = prefix_l (1 - p_k) for k <= l (dS = S(1 - S)).
    for (int k = 2; k <= bits; ++k) {
      double g = 0;
      for (int l = k; l <= bits; ++l) g += prefix[l - 2];
      grad_log_a[k - 2] = g * (1.0 - p[k - 2]);
    }
  }
  return total;
}

namespace reference {

/// The sub-grids of a gated tensor: sub[l - 1] keeps levels 1..l.
struct GatedGrids {
  GridSpec grid;
  std::array<SurvivingGrid, kMaxBits> sub;
};

inline GatedGrids make_gated_grids(GridSpec g) {
  if (!g.supports_dropbits())
    throw std::invalid_argument("learned bit-width gates need nested sub-grids: not allowed on the " +
                                g.name() + " grid");
  GatedGrids out;
  out.grid = g;
  for (int l = 1; l <= g.bits; ++l)
    out.sub[l - 1] = make_surviving_grid(g, static_cast<LevelMask>(((1u << l) - 1u) << 1));
  return out;
}

/// Coefficients of x_hat = sum_l c_l x_hat_l: c_l = Z_l - Z_{l+1}, with
/// Z_1 = 1 and Z_{b+1} = 0. This is the section 5 sum regrouped (project
/// choice): the same value, and exactly x_hat_L when the gates are binary, so
/// binary gates give bit-for-bit the hierarchical DropBits forward.
inline std::array<double, kMaxBits> gate_coefficients(const GateSet &gates) {
  std::array<double, kMaxBits + 1> Z{};
  Z[0] = 1.0; // Z_1
  for (int l = 2; l <= gates.bits; ++l) Z[l - 1] = Z[l - 2] * gates.z(l);
  std::array<double, kMaxBits> c{};
  for (int l = 1; l <= gates.bits; ++l) c[l - 1] = Z[l - 1] - (l < gates.bits ? Z[l] : 0.0);
  return c;
}

/// Gated forward of one element, float32: sum_l c_l * x_hat_l with c_l
/// rounded to float and the sum taken from l = 1 upward, skipping c_l = 0.
inline float gated_forward(const GatedGrids &gg, const GateSet &gates, float x, float alpha) {
  const auto c = gate_coefficients(gates);
  float out = 0.0f;
  for (int l = 1; l <= gg.grid.bits; ++l) {
    if (c[l - 1] == 0.0) continue;
    const float x_hat_l = dequantize(gg.grid, quantize_level(gg.sub[l - 1], x, alpha), alpha);
    out += static_cast<float>(c[l - 1]) * x_hat_l;
  }
  return out;
}

/// Backward of one element: the STE gradients of each sub-grid weighted by
/// c_l, and dL/dz_k = G sum_{l>=k} (prod_{j=2..l, j!=k} z_j)(x_hat_l - x_hat_{l-1})
/// for k = 2..b (to be summed over elements and multiplied by dz_k/dlog_a_k).
struct GatedGrad {
  ElementGrad ste;
  std::array<double, kMaxBits> dz{}; // dz[k - 2]
};

template <BackwardForm Form = BackwardForm::Fast>
inline GatedGrad gated_backward(const GatedGrids &gg, const GateSet &gates, float x, float alpha, float sigma,
                                float grad) {
  const int b = gg.grid.bits;
  const auto c = gate_coefficients(gates);
  GatedGrad out;
  std::array<double, kMaxBits> x_hat{};
  for (int l = 1; l <= b; ++l) {
    const SurvivingGrid &s = gg.sub[l - 1];
    x_hat[l - 1] = dequantize(gg.grid, quantize_level(s, x, alpha), alpha);
    if (c[l - 1] == 0.0) continue;
    const ElementGrad e = Form == BackwardForm::Slow ? backward_slow(s, x, alpha, sigma, grad)
                                                     : backward_fast<double>(s, x, alpha, sigma, grad);
    out.ste.dx += c[l - 1] * e.dx;
    out.ste.dalpha += c[l - 1] * e.dalpha;
    out.ste.dsigma += c[l - 1] * e.dsigma;
  }
  for (int k = 2; k <= b; ++k) {
    double sum = 0, prod_without_k = 1;
    for (int l = 2; l <= b; ++l) {
      if (l != k) prod_without_k *= gates.z(l);
      if (l >= k) sum += prod_without_k * (x_hat[l - 1] - x_hat[l - 2]);
    }
    out.dz[k - 2] = static_cast<double>(grad) * sum;
  }
  return out;
}

} // namespace reference
} // namespace cpq
