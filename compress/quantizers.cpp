//===- quantizers.cpp - scalar quantizers of trained weights ----------------===//
#include "compress/quantizers.h"

#include "cpq/kernels/random.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

namespace cpq::compress {

namespace {

double weight_of(const std::vector<float> &h, std::size_t i) { return h.empty() ? 1.0 : double(h[i]); }

void check(const std::vector<float> &w, const std::vector<float> &h) {
  if (w.empty()) throw std::invalid_argument("no weights to quantize");
  if (!h.empty() && h.size() != w.size())
    throw std::invalid_argument("the importance has " + std::to_string(h.size()) + " values for " +
                                std::to_string(w.size()) + " weights");
  for (float v : h)
    if (!(v >= 0.0f) || !std::isfinite(v)) throw std::invalid_argument("an importance (Hessian) value is negative or not finite");
  for (float v : w)
    if (!std::isfinite(v)) throw std::invalid_argument("a weight is not finite");
}

/// The index of the centre nearest to v (centres ascending).
std::uint32_t nearest(const std::vector<float> &c, float v) {
  auto it = std::lower_bound(c.begin(), c.end(), v);
  if (it == c.begin()) return 0;
  if (it == c.end()) return std::uint32_t(c.size() - 1);
  const std::size_t j = std::size_t(it - c.begin());
  return (double(v) - double(c[j - 1]) <= double(c[j]) - double(v)) ? std::uint32_t(j - 1) : std::uint32_t(j);
}

void assign_nearest(const std::vector<float> &w, Quantized &q) {
  q.index.resize(w.size());
  for (std::size_t i = 0; i < w.size(); ++i) q.index[i] = nearest(q.centres, w[i]);
}

/// k-means++ seeding: each next centre drawn with probability proportional
/// to h_i times the squared distance to the nearest centre so far.
std::vector<float> seed_centres(const std::vector<float> &w, const std::vector<float> &h, int k, std::uint64_t seed) {
  const CounterRng rng(seed, 0, 0, RandomPurpose::Clustering);
  std::uint64_t draw = 0;
  auto pick = [&](const std::vector<double> &mass) {
    double total = 0;
    for (double m : mass) total += m;
    if (!(total > 0)) return std::size_t(rng.u32(draw++) % w.size());
    const double target = rng.uniform(draw++) * total;
    double run = 0;
    for (std::size_t i = 0; i < mass.size(); ++i) {
      run += mass[i];
      if (run >= target && mass[i] > 0) return i;
    }
    return mass.size() - 1;
  };
  std::vector<double> mass(w.size());
  for (std::size_t i = 0; i < w.size(); ++i) mass[i] = weight_of(h, i);
  std::vector<float> centres = {w[pick(mass)]};
  std::vector<double> d2(w.size(), std::numeric_limits<double>::infinity());
  while (int(centres.size()) < k) {
    const float c = centres.back();
    for (std::size_t i = 0; i < w.size(); ++i) {
      const double d = double(w[i]) - double(c);
      d2[i] = std::min(d2[i], d * d);
      mass[i] = weight_of(h, i) * d2[i];
    }
    centres.push_back(w[pick(mass)]);
  }
  std::sort(centres.begin(), centres.end());
  centres.erase(std::unique(centres.begin(), centres.end()), centres.end());
  return centres;
}

} // namespace

double distortion(const std::vector<float> &w, const std::vector<float> &h, const Quantized &q) {
  double d = 0;
  for (std::size_t i = 0; i < w.size(); ++i) {
    const double e = double(w[i]) - double(q.centres[q.index[i]]);
    d += weight_of(h, i) * e * e;
  }
  return w.empty() ? 0 : d / double(w.size());
}

std::vector<std::uint64_t> index_counts(const Quantized &q) {
  std::vector<std::uint64_t> counts(q.centres.size(), 0);
  for (std::uint32_t j : q.index) ++counts[j];
  return counts;
}

double index_entropy(const Quantized &q) {
  const double n = double(q.index.size());
  double h = 0;
  for (std::uint64_t c : index_counts(q))
    if (c) h -= double(c) / n * std::log2(double(c) / n);
  return h;
}

void weighted_means(const std::vector<float> &w, const std::vector<float> &h, Quantized &q) {
  const std::size_t k = q.centres.size();
  std::vector<double> sum_hw(k, 0), sum_h(k, 0), sum_w(k, 0);
  std::vector<std::uint64_t> count(k, 0);
  for (std::size_t i = 0; i < w.size(); ++i) {
    const std::uint32_t j = q.index[i];
    const double hi = weight_of(h, i);
    sum_hw[j] += hi * double(w[i]), sum_h[j] += hi, sum_w[j] += double(w[i]), ++count[j];
  }
  for (std::size_t j = 0; j < k; ++j) {
    if (sum_h[j] > 0)
      q.centres[j] = float(sum_hw[j] / sum_h[j]);
    else if (count[j])
      q.centres[j] = float(sum_w[j] / double(count[j]));
  }
}

void compact(Quantized &q) {
  const std::vector<std::uint64_t> counts = index_counts(q);
  std::vector<std::uint32_t> order;
  for (std::uint32_t j = 0; j < q.centres.size(); ++j)
    if (counts[j]) order.push_back(j);
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) { return q.centres[a] < q.centres[b]; });
  std::vector<std::uint32_t> remap(q.centres.size(), 0);
  std::vector<float> centres;
  for (std::uint32_t j : order) remap[j] = std::uint32_t(centres.size()), centres.push_back(q.centres[j]);
  for (std::uint32_t &j : q.index) j = remap[j];
  q.centres = std::move(centres);
}

Quantized kmeans(const std::vector<float> &w, const std::vector<float> &h, const KMeansOptions &o) {
  check(w, h);
  if (o.clusters < 1) throw std::invalid_argument("k-means needs at least 1 cluster");
  Quantized q;
  q.centres = seed_centres(w, h, o.clusters, o.seed);
  assign_nearest(w, q);
  // Lloyd steps until no weight changes its centre (or D stops improving).
  double previous = std::numeric_limits<double>::infinity();
  for (int it = 0; it < o.max_iterations; ++it) {
    weighted_means(w, h, q);
    std::sort(q.centres.begin(), q.centres.end()); // means keep their order in 1-D; sorting guards ties
    const std::vector<std::uint32_t> before = q.index;
    assign_nearest(w, q);
    const double d = distortion(w, h, q);
    if (q.index == before) break;
    // Centres rounded to float32 can raise D a little: only a real, small
    // improvement counts as converged.
    if (o.tolerance > 0 && d <= previous && previous - d <= o.tolerance * previous) break;
    previous = d;
  }
  weighted_means(w, h, q);
  compact(q);
  return q;
}

Quantized uniform(const std::vector<float> &w, const std::vector<float> &h, double step) {
  check(w, h);
  if (!(step > 0) || !std::isfinite(step)) throw std::invalid_argument("the uniform step must be positive");
  std::vector<std::int64_t> cell(w.size());
  std::int64_t lo = std::numeric_limits<std::int64_t>::max(), hi = std::numeric_limits<std::int64_t>::min();
  for (std::size_t i = 0; i < w.size(); ++i) {
    cell[i] = std::int64_t(std::llround(double(w[i]) / step));
    lo = std::min(lo, cell[i]), hi = std::max(hi, cell[i]);
  }
  if (hi - lo > (std::int64_t(1) << 26)) throw std::invalid_argument("the uniform step is too fine for the weights' range");
  Quantized q;
  for (std::int64_t c = lo; c <= hi; ++c) q.centres.push_back(float(double(c) * step));
  q.index.resize(w.size());
  for (std::size_t i = 0; i < w.size(); ++i) q.index[i] = std::uint32_t(cell[i] - lo);
  weighted_means(w, h, q);
  compact(q);
  return q;
}

Quantized uniform_for_rate(const std::vector<float> &w, const std::vector<float> &h, double bits) {
  check(w, h);
  float lo = w[0], hi = w[0];
  for (float v : w) lo = std::min(lo, v), hi = std::max(hi, v);
  const double range = std::max(double(hi) - double(lo), 1e-30);
  // Entropy falls as the step grows: bisect log(step) for the finest step
  // whose entropy is at most `bits`.
  double fine = std::log(range / 65536.0), coarse = std::log(4 * range);
  for (int it = 0; it < 48; ++it) {
    const double mid = 0.5 * (fine + coarse);
    if (index_entropy(uniform(w, h, std::exp(mid))) <= bits)
      coarse = mid;
    else
      fine = mid;
  }
  return uniform(w, h, std::exp(coarse));
}

EcsqResult ecsq(const std::vector<float> &w, const std::vector<float> &h, double lambda, const Quantized &start,
                int max_iterations, double tolerance) {
  check(w, h);
  if (!(lambda >= 0) || !std::isfinite(lambda)) throw std::invalid_argument("lambda must be a number >= 0");
  EcsqResult r;
  r.lambda = lambda;
  r.q = start;
  compact(r.q);
  const double n = double(w.size());
  auto objective = [&]() { return distortion(w, h, r.q) + lambda * index_entropy(r.q); };
  double previous = objective();
  for (int it = 0; it < max_iterations; ++it) {
    const std::vector<std::uint64_t> counts = index_counts(r.q);
    const std::size_t k = r.q.centres.size();
    std::vector<double> penalty(k);
    std::size_t most = 0;
    for (std::size_t j = 0; j < k; ++j) {
      penalty[j] = -lambda * std::log2(double(counts[j]) / n);
      if (penalty[j] < penalty[most]) most = j;
    }
    // Assign: the penalty is >= 0, so from the nearest centre outwards a
    // centre farther than the best cost so far cannot win.
    for (std::size_t i = 0; i < w.size(); ++i) {
      const double hi = weight_of(h, i), v = double(w[i]);
      if (hi == 0) {
        r.q.index[i] = std::uint32_t(most);
        continue;
      }
      const std::size_t j0 = nearest(r.q.centres, w[i]);
      auto cost = [&](std::size_t j) {
        const double e = v - double(r.q.centres[j]);
        return hi * e * e + penalty[j];
      };
      std::size_t best = j0;
      double best_cost = cost(j0);
      for (std::size_t j = j0; j-- > 0;) {
        const double e = v - double(r.q.centres[j]);
        if (hi * e * e >= best_cost) break;
        if (cost(j) < best_cost) best = j, best_cost = cost(j);
      }
      for (std::size_t j = j0 + 1; j < k; ++j) {
        const double e = v - double(r.q.centres[j]);
        if (hi * e * e >= best_cost) break;
        if (cost(j) < best_cost) best = j, best_cost = cost(j);
      }
      r.q.index[i] = std::uint32_t(best);
    }
    weighted_means(w, h, r.q);
    compact(r.q);
    const double j = objective();
    r.objective.push_back(j);
    if (previous - j <= tolerance * std::fabs(previous)) break;
    previous = j;
  }
  r.entropy = index_entropy(r.q);
  r.distortion = distortion(w, h, r.q);
  return r;
}

EcsqResult ecsq_for_rate(const std::vector<float> &w, const std::vector<float> &h, double bits,
                         const std::function<void(double, double)> &progress) {
  check(w, h);
  if (!(bits > 0)) throw std::invalid_argument("the target rate must be positive");
  // Start from many centres: a uniform quantizer two bits finer.
  const Quantized start = uniform_for_rate(w, h, bits + 2);
  const double scale = std::max(distortion(w, h, start), 1e-30);
  auto run = [&](double lambda) {
    EcsqResult r = ecsq(w, h, lambda, start);
    if (progress) progress(lambda, r.entropy);
    return r;
  };
  EcsqResult best = run(0);
  if (best.entropy <= bits) return best;
  // The smallest lambda (log scale) whose entropy is within the rate.
  double lo = std::log(scale * 1e-3), hi = lo;
  EcsqResult at_hi = run(std::exp(hi));
  while (at_hi.entropy > bits && hi < lo + 60) hi += std::log(4.0), at_hi = run(std::exp(hi));
  best = at_hi;
  for (int it = 0; it < 20; ++it) {
    const double mid = 0.5 * (lo + hi);
    EcsqResult r = run(std::exp(mid));
    if (r.entropy <= bits)
      hi = mid, best = std::move(r);
    else
      lo = mid;
  }
  return best;
}

} // namespace cpq::compress
