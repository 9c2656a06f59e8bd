//===- stats.h - timings of a trial: median, interval, trusted differences -*- C++ -*-===//
//
// A trial's kernel is timed over repeated calls. Its figure is the median;
// its 95% interval is the distribution-free confidence interval of the
// median from order statistics (the ranks where the binomial(n, 1/2) tails
// hold 2.5% each), so no normality is assumed of timings with outliers. A
// difference between two trials is trusted only when their intervals do
// not overlap (`faster`); otherwise they are a tie.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <vector>

namespace cpq::tune {

struct Timing {
  std::vector<double> ms; ///< every repeat, in the order measured
  double median = 0, low = 0, high = 0; ///< the median and its 95% interval
  /// The interval's width relative to the median: the noise of the trial.
  double noise() const { return median > 0 ? (high - low) / median : 0; }
};

/// The median and its 95% interval of `ms` (at least one value). Under 6
/// values the interval is [min, max].
Timing summarize(std::vector<double> ms);

/// True when `a` is faster than `b` beyond noise: a's interval lies wholly
/// below b's.
bool faster(const Timing &a, const Timing &b);

} // namespace cpq::tune
