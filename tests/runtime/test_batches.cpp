//===- test_batches.cpp - epoch orders and batches --------------------------===//
//
// Epoch orders are permutations that depend only on (seed, epoch, count),
// differ between epochs and seeds, and put every example in every position
// equally often; batches hold the normalised pixels and the labels of the
// examples in order, and a range past the epoch is an error.
//
//===----------------------------------------------------------------------===//
#define BOOST_TEST_MODULE batches
#include <boost/test/unit_test.hpp>

#include "cpq/runtime/batches.h"

#include <algorithm>
#include <cmath>
#include <numeric>

using namespace cpq;
using namespace cpq::runtime;

BOOST_AUTO_TEST_CASE(orders_are_permutations_fixed_by_seed_epoch_and_count) {
  for (std::uint32_t count : {0u, 1u, 2u, 7u, 1000u, 60000u}) {
    const auto a = epoch_order(count, 42, 3);
    auto sorted = a;
    std::sort(sorted.begin(), sorted.end());
    std::vector<std::uint32_t> identity(count);
    std::iota(identity.begin(), identity.end(), 0u);
    BOOST_TEST(sorted == identity, "count " << count);
    BOOST_TEST(epoch_order(count, 42, 3) == a);
    if (count >= 7) {
      BOOST_TEST(epoch_order(count, 42, 4) != a);
      BOOST_TEST(epoch_order(count, 43, 3) != a);
    }
  }
}

BOOST_AUTO_TEST_CASE(every_example_lands_in_every_position_equally_often) {
  const std::uint32_t count = 8;
  const int runs = 16000;
  std::vector<int> where(count * count, 0); // [example][position]
  for (int s = 0; s < runs; ++s) {
    const auto o = epoch_order(count, std::uint64_t(s), 0);
    for (std::uint32_t pos = 0; pos < count; ++pos) ++where[o[pos] * count + pos];
  }
  // Each cell ~ Binomial(runs, 1/8): mean 2000, sd 41.8; 5 sd bounds.
  const double mean = double(runs) / count, sd = std::sqrt(runs * (1.0 / count) * (1.0 - 1.0 / count));
  for (int c : where) BOOST_TEST(std::fabs(c - mean) < 5 * sd, c);
}

BOOST_AUTO_TEST_CASE(batches_hold_normalised_pixels_and_labels_in_order) {
  idx::LabelledImages d;
  d.count = 3, d.rows = 2, d.cols = 2;
  d.images = {0, 255, 10, 20, /**/ 30, 40, 50, 60, /**/ 70, 80, 90, 100};
  d.labels = {4, 7, 1};
  const std::vector<std::uint32_t> order = {2, 0, 1};
  const Normalisation norm{0.5f, 0.25f};
  std::vector<float> images(8);
  std::vector<std::int32_t> labels(2);
  std::string error;
  BOOST_TEST_REQUIRE(fill_batch(d, order, 1, 2, norm, images.data(), labels.data(), error), error);
  BOOST_TEST(labels == (std::vector<std::int32_t>{4, 7}));
  const std::uint8_t want[8] = {0, 255, 10, 20, 30, 40, 50, 60};
  for (int k = 0; k < 8; ++k) BOOST_TEST(std::fabs(images[k] - (want[k] / 255.0f - 0.5f) / 0.25f) < 1e-5f, k);
  BOOST_TEST(!fill_batch(d, order, 2, 2, norm, images.data(), labels.data(), error));
  BOOST_TEST(error.find("runs past the 3 examples") != std::string::npos, error);
  const std::vector<std::uint32_t> bad = {0, 9};
  BOOST_TEST(!fill_batch(d, bad, 0, 2, norm, images.data(), labels.data(), error));
  BOOST_TEST(error.find("example 9 is outside the 3") != std::string::npos, error);
  d.images.pop_back(); // a data set whose sizes disagree is refused, not read past
  BOOST_TEST(!fill_batch(d, order, 0, 1, norm, images.data(), labels.data(), error));
  BOOST_TEST(error.find("do not match its 3 images of 2 x 2") != std::string::npos, error);
}
