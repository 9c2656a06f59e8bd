//===- test_quantizers.cpp - quantizers of trained weights ------------------===//
//
// Hessian-weighted k-means: its centres are the weighted means of their
// weights, each weight sits at its nearest centre, the same seed gives the
// same codebook, enough clusters give no distortion; uniform cells: centres
// are weighted means, cells one step wide; ECSQ: every iteration lowers
// D + lambda H, and the rate search stays within the rate; bad inputs are
// refused.
//
//===----------------------------------------------------------------------===//
#define BOOST_TEST_MODULE compress_quantizers
#include <boost/test/unit_test.hpp>

#include "compress/quantizers.h"

#include <cmath>
#include <random>
#include <stdexcept>

using namespace cpq::compress;

namespace {

/// Weights like a trained layer's (a mixture around 0) and importances of
/// very different sizes.
void weights(std::size_t n, unsigned seed, std::vector<float> &w, std::vector<float> &h) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> narrow(0.0f, 0.02f), wide(0.0f, 0.2f);
  std::lognormal_distribution<float> importance(0.0f, 2.0f);
  w.resize(n), h.resize(n);
  for (std::size_t i = 0; i < n; ++i) w[i] = (i % 7 == 0 ? wide : narrow)(rng), h[i] = importance(rng);
}

void centres_are_weighted_means(const std::vector<float> &w, const std::vector<float> &h, const Quantized &q) {
  std::vector<double> hw(q.centres.size(), 0), hs(q.centres.size(), 0);
  for (std::size_t i = 0; i < w.size(); ++i) hw[q.index[i]] += double(h[i]) * w[i], hs[q.index[i]] += h[i];
  for (std::size_t j = 0; j < q.centres.size(); ++j) {
    BOOST_TEST_REQUIRE(hs[j] > 0);
    const double mean = hw[j] / hs[j];
    BOOST_TEST(std::fabs(double(q.centres[j]) - mean) <= 1e-6 * std::max(1e-3, std::fabs(mean)), "centre " << j);
  }
}

} // namespace

BOOST_AUTO_TEST_CASE(hessian_weighted_kmeans_centres_are_weighted_means) {
  std::vector<float> w, h;
  weights(20000, 1, w, h);
  for (int k : {2, 5, 16, 64}) {
    KMeansOptions o;
    o.clusters = k, o.seed = 3;
    const Quantized q = kmeans(w, h, o);
    BOOST_TEST(q.centres.size() <= std::size_t(k));
    BOOST_TEST(std::is_sorted(q.centres.begin(), q.centres.end()));
    centres_are_weighted_means(w, h, q);
    // Lloyd's fixed point: each weight's centre is its nearest.
    std::size_t far = 0;
    for (std::size_t i = 0; i < w.size(); ++i)
      for (std::size_t j = 0; j < q.centres.size(); ++j)
        if (std::fabs(w[i] - q.centres[j]) < std::fabs(w[i] - q.centres[q.index[i]]) - 1e-6f) ++far;
    BOOST_TEST(far <= w.size() / 1000, k << " clusters: " << far << " weights not at their nearest centre");
    // The same seed, the same codebook.
    const Quantized again = kmeans(w, h, o);
    BOOST_TEST(again.centres == q.centres);
    BOOST_TEST(again.index == q.index);
  }
  // Plain k-means is the unweighted case: centres are plain means.
  KMeansOptions o;
  o.clusters = 8;
  const Quantized plain = kmeans(w, {}, o);
  centres_are_weighted_means(w, std::vector<float>(w.size(), 1.0f), plain);
  // As many clusters as distinct values: no distortion.
  const std::vector<float> few = {0.5f, -1.0f, 0.5f, 2.0f, -1.0f};
  o.clusters = 3;
  const Quantized exact = kmeans(few, {}, o);
  BOOST_TEST(exact.centres.size() == 3u);
  BOOST_TEST(distortion(few, {}, exact) == 0.0);
}

BOOST_AUTO_TEST_CASE(uniform_cells_are_one_step_wide) {
  std::vector<float> w, h;
  weights(20000, 2, w, h);
  for (double step : {0.005, 0.02, 0.1}) {
    const Quantized q = uniform(w, h, step);
    centres_are_weighted_means(w, h, q);
    // Weights of one cell are within half a step of its multiple of the step.
    for (std::size_t i = 0; i < w.size(); ++i) {
      const double cell = std::round(double(q.centres[q.index[i]]) / step) * step;
      BOOST_TEST(std::fabs(double(w[i]) - cell) <= 0.5 * step + 1e-6);
    }
  }
  for (double bits : {0.5, 1.0, 2.0, 4.0}) {
    const Quantized q = uniform_for_rate(w, h, bits);
    BOOST_TEST(index_entropy(q) <= bits + 1e-9);
    BOOST_TEST(index_entropy(q) > bits - 0.5, "rate " << bits << ": entropy " << index_entropy(q));
  }
}

BOOST_AUTO_TEST_CASE(every_ecsq_iteration_lowers_the_objective) {
  std::vector<float> w, h;
  weights(20000, 4, w, h);
  const Quantized start = uniform_for_rate(w, h, 5.0);
  const double d0 = distortion(w, h, start);
  for (double lambda : {0.0, d0 * 0.01, d0 * 0.3, d0 * 3}) {
    const EcsqResult r = ecsq(w, h, lambda, start);
    double previous = d0 + lambda * index_entropy(start);
    BOOST_TEST_REQUIRE(!r.objective.empty());
    for (double j : r.objective) {
      BOOST_TEST(j <= previous * (1 + 1e-12) + 1e-18, "lambda " << lambda << ": J rose from " << previous << " to " << j);
      previous = j;
    }
    centres_are_weighted_means(w, h, r.q);
    BOOST_TEST(r.entropy == index_entropy(r.q));
  }
  // The rate search ends within the rate, near it.
  for (double bits : {0.8, 1.5, 3.0}) {
    const EcsqResult r = ecsq_for_rate(w, h, bits);
    BOOST_TEST(r.entropy <= bits + 1e-9);
    BOOST_TEST(r.entropy > bits - 0.4, "rate " << bits << ": entropy " << r.entropy);
  }
}

BOOST_AUTO_TEST_CASE(bad_inputs_are_refused) {
  KMeansOptions o;
  BOOST_CHECK_THROW(kmeans({}, {}, o), std::invalid_argument);
  BOOST_CHECK_THROW(kmeans({1.0f, 2.0f}, {1.0f}, o), std::invalid_argument);
  BOOST_CHECK_THROW(kmeans({1.0f, 2.0f}, {1.0f, -1.0f}, o), std::invalid_argument);
  BOOST_CHECK_THROW(kmeans({1.0f, NAN}, {}, o), std::invalid_argument);
  o.clusters = 0;
  BOOST_CHECK_THROW(kmeans({1.0f}, {}, o), std::invalid_argument);
  BOOST_CHECK_THROW(uniform({1.0f}, {}, 0.0), std::invalid_argument);
  BOOST_CHECK_THROW(ecsq({1.0f}, {}, -1.0, uniform({1.0f}, {}, 1.0)), std::invalid_argument);
}
