//===- test_param_init.cpp - first values of parameters ---------------------===//
//
// The init kinds against their distributions (moments over many draws),
// determinism by (seed, name), and every refused case.
//
//===----------------------------------------------------------------------===//
#define BOOST_TEST_MODULE param_init
#include <boost/test/unit_test.hpp>

#include "cpq/runtime/init.h"

#include <cmath>

using namespace cpq::runtime;

namespace {

struct Moments {
  double mean = 0, sd = 0, min = 1e300, max = -1e300;
};

Moments moments(const std::vector<float> &v) {
  Moments m;
  for (float x : v) m.mean += x, m.min = std::min(m.min, double(x)), m.max = std::max(m.max, double(x));
  m.mean /= double(v.size());
  for (float x : v) m.sd += (x - m.mean) * (x - m.mean);
  m.sd = std::sqrt(m.sd / double(v.size() - 1));
  return m;
}

std::vector<float> init_ok(const std::string &name, const ParamInit &init, const std::vector<std::int64_t> &shape,
                           std::uint64_t seed = 7) {
  std::vector<float> v;
  std::string error;
  BOOST_TEST_REQUIRE(initial_value(name, init, shape, seed, v, error), error);
  return v;
}

void init_fails(const ParamInit &init, const std::vector<std::int64_t> &shape, const std::string &expected) {
  std::vector<float> v;
  std::string error;
  BOOST_TEST(!initial_value("layer.weight", init, shape, 1, v, error));
  BOOST_TEST(error.find(expected) != std::string::npos, "'" << error << "' lacks '" << expected << "'");
  BOOST_TEST(error.find("layer.weight") != std::string::npos, error);
}

} // namespace

BOOST_AUTO_TEST_CASE(he_normal_has_the_fan_in_variance) {
  // conv [64, 32, 5, 5]: fan_in 800, sd sqrt(2/800) = 0.05; 51,200 draws.
  const auto v = init_ok("conv2.weight", {"he_normal", {}}, {64, 32, 5, 5});
  BOOST_TEST_REQUIRE(v.size() == 51200u);
  const Moments m = moments(v);
  const double sd = 0.05, se = sd / std::sqrt(51200.0);
  BOOST_TEST(std::fabs(m.mean) < 5 * se, "mean " << m.mean);
  BOOST_TEST(std::fabs(m.sd / sd - 1) < 0.02, "sd " << m.sd);
  BOOST_TEST(m.max > 3.5 * sd); // a normal's tails, not a uniform's
  // dense [512, 1024]: sd sqrt(2/1024).
  const Moments d = moments(init_ok("fc1.weight", {"he_normal", {}}, {512, 1024}));
  BOOST_TEST(std::fabs(d.sd / std::sqrt(2.0 / 1024) - 1) < 0.01, "sd " << d.sd);
}

BOOST_AUTO_TEST_CASE(glorot_uniform_has_its_limit) {
  // dense [10, 1152]: limit sqrt(6 / 1162).
  const auto v = init_ok("fc.weight", {"glorot_uniform", {}}, {10, 1152});
  const Moments m = moments(v);
  const double limit = std::sqrt(6.0 / 1162.0);
  BOOST_TEST(m.min >= -limit);
  BOOST_TEST(m.max <= limit);
  BOOST_TEST(m.max > 0.99 * limit);
  BOOST_TEST(std::fabs(m.sd / (limit / std::sqrt(3.0)) - 1) < 0.03, "sd " << m.sd);
}

BOOST_AUTO_TEST_CASE(draws_depend_on_seed_and_name_only) {
  const ParamInit he{"he_normal", {}};
  BOOST_TEST(init_ok("w", he, {8, 4}, 3) == init_ok("w", he, {8, 4}, 3));
  BOOST_TEST(init_ok("w", he, {8, 4}, 3) != init_ok("w", he, {8, 4}, 4));
  BOOST_TEST(init_ok("w", he, {8, 4}, 3) != init_ok("v", he, {8, 4}, 3));
  // Same name and fan-in, other element count: the common prefix agrees
  // (an FP32 and a quantized network start from the same weights).
  const auto small = init_ok("w", he, {2, 4}, 3), large = init_ok("w", he, {8, 4}, 3);
  BOOST_TEST(std::equal(small.begin(), small.end(), large.begin()));
  BOOST_TEST(parameter_id("conv1.weight") == parameter_id("conv1.weight"));
  BOOST_TEST(parameter_id("conv1.weight") != parameter_id("conv2.weight"));
}

BOOST_AUTO_TEST_CASE(constant_kinds) {
  BOOST_TEST(init_ok("b", {"zeros", {}}, {5}) == std::vector<float>(5, 0.0f));
  BOOST_TEST(init_ok("g", {"ones", {}}, {3}) == std::vector<float>(3, 1.0f));
  BOOST_TEST(init_ok("a", {"constant", {0.25f}}, {4}) == std::vector<float>(4, 0.25f));
  BOOST_TEST(init_ok("a", {"constant", {1, 2, 3}}, {3}) == (std::vector<float>{1, 2, 3}));
  BOOST_TEST(init_ok("s", {"zeros", {}}, {}) == std::vector<float>(1, 0.0f)); // rank 0
}

BOOST_AUTO_TEST_CASE(refused_cases_name_the_parameter) {
  init_fails({"he_normal", {}}, {16}, "needs a rank >= 2 shape");
  init_fails({"glorot_uniform", {}}, {}, "needs a rank >= 2 shape");
  init_fails({"lecun", {}}, {4, 4}, "unknown init 'lecun'");
  init_fails({"constant", {1, 2}}, {3}, "constant init has 2 values for 3 elements");
  init_fails({"constant", {}}, {3}, "constant init has 0 values for 3 elements");
  init_fails({"zeros", {}}, {-1, 3}, "dynamic dimension");
}
