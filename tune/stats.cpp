//===- stats.cpp - timings of a trial: median, interval, trusted differences ===//
#include "tune/stats.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace cpq::tune {

Timing summarize(std::vector<double> ms) {
  if (ms.empty()) throw std::invalid_argument("no timings to summarize");
  Timing t;
  t.ms = ms;
  std::sort(ms.begin(), ms.end());
  const std::size_t n = ms.size();
  t.median = n % 2 ? ms[n / 2] : 0.5 * (ms[n / 2 - 1] + ms[n / 2]);
  // The largest j with P(Binomial(n, 1/2) < j) <= 2.5%: [x_(j), x_(n-1-j)]
  // (0-based) covers the median with at least 95%.
  std::size_t j = 0;
  double below = 0; // P(B < j+1), accumulated in logs to stay finite for large n
  for (std::size_t k = 0; k < n / 2; ++k) {
    below += std::exp(std::lgamma(double(n) + 1) - std::lgamma(double(k) + 1) - std::lgamma(double(n - k) + 1) -
                      double(n) * std::log(2.0));
    if (below > 0.025) break;
    j = k + 1;
  }
  if (n < 6) j = 0;
  t.low = ms[j];
  t.high = ms[n - 1 - j];
  return t;
}

bool faster(const Timing &a, const Timing &b) { return a.high < b.low; }

} // namespace cpq::tune
