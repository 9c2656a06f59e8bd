//===- test_support.h - what the kernel tests share -------------------------===//
//
// How Boost.Test prints the kernel core's enums (in namespace cpq, for lookup
// by ADL), and the comparison every gradient test uses: a relative tolerance
// plus absolute floors derived from the magnitude of section 3's sums.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "cpq/kernels/dropbits.h"

#include <algorithm>
#include <cmath>

#include <ostream>

namespace cpq {
inline std::ostream &operator<<(std::ostream &os, GridKind k) { return os << to_string(k); }
inline std::ostream &operator<<(std::ostream &os, DropBitsMode m) {
  return os << (m == DropBitsMode::Hierarchical ? "hierarchical" : "independent");
}

namespace testing {

/// |a - b| <= rel * max(|a|, |b|) + abs_floor.
inline bool close(double a, double b, double rel, double abs_floor) {
  return std::fabs(a - b) <= rel * std::max(std::fabs(a), std::fabs(b)) + abs_floor;
}

/// Absolute error floors for comparing gradients of one element, at relative
/// resolution `eps`. `term` is the largest term a sum of section 3 can hold,
/// |G| * dg_max / sigma with dg_max the widest surviving cell; dL/dsigma and
/// dL/dalpha sums cancel (to zero at a cell centre), and dL/dalpha also adds
/// t_hat, so their floors scale with term and with |x / alpha|.
struct Floors {
  double dx, dsigma, dalpha;
};
inline Floors floors(const SurvivingGrid &s, float x, float alpha, float sigma, float G, double eps) {
  double dt_max = 0;
  for (int i = 1; i < s.count; ++i) dt_max = std::max(dt_max, double(s.t[i]) - double(s.t[i - 1]));
  const double term = std::fabs(G) * alpha * std::max(dt_max, 1.0) / sigma;
  const double v = std::fabs(x / alpha);
  return {eps * term, 10 * eps * term, 10 * eps * (term + std::fabs(G)) * (1.0 + v)};
}

} // namespace testing
} // namespace cpq
