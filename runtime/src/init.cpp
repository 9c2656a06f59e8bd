//===- init.cpp - initial values of a network's parameters ------------------===//
#include "cpq/runtime/init.h"

#include "cpq/kernels/random.h"

#include <cmath>

namespace cpq::runtime {

std::uint32_t parameter_id(const std::string &name) {
  std::uint32_t h = 2166136261u;
  for (unsigned char c : name) h = (h ^ c) * 16777619u;
  return h;
}

bool initial_value(const std::string &name, const ParamInit &init, const std::vector<std::int64_t> &shape,
                   std::uint64_t seed, std::vector<float> &out, std::string &error) {
  std::int64_t count = 1;
  for (std::int64_t d : shape) {
    if (d < 0) {
      error = "parameter '" + name + "' has a dynamic dimension";
      return false;
    }
    count *= d;
  }
  out.assign(static_cast<std::size_t>(count), 0.0f);
  if (init.kind == "zeros") return true;
  if (init.kind == "ones") {
    out.assign(out.size(), 1.0f);
    return true;
  }
  if (init.kind == "constant") {
    if (init.values.size() == 1) {
      out.assign(out.size(), init.values[0]);
    } else if (init.values.size() == out.size()) {
      out = init.values;
    } else {
      error = "parameter '" + name + "': constant init has " + std::to_string(init.values.size()) +
              " values for " + std::to_string(count) + " elements";
      return false;
    }
    return true;
  }
  if (init.kind != "he_normal" && init.kind != "glorot_uniform") {
    error = "parameter '" + name + "': unknown init '" + init.kind + "'";
    return false;
  }
  if (shape.size() < 2) {
    error = "parameter '" + name + "': " + init.kind + " needs a rank >= 2 shape";
    return false;
  }
  std::int64_t receptive = 1;
  for (std::size_t k = 2; k < shape.size(); ++k) receptive *= shape[k];
  const double fan_in = static_cast<double>(shape[1] * receptive), fan_out = static_cast<double>(shape[0] * receptive);
  const CounterRng rng(seed, 0, parameter_id(name), RandomPurpose::Init);
  if (init.kind == "glorot_uniform") {
    const double limit = std::sqrt(6.0 / (fan_in + fan_out));
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<float>(limit * (2.0 * rng.uniform(i) - 1.0));
    return true;
  }
  // Box-Muller on pairs of draws: element i uses draws 2i and 2i + 1.
  const double sd = std::sqrt(2.0 / fan_in);
  const double two_pi = 6.283185307179586;
  for (std::size_t i = 0; i < out.size(); ++i) {
    const double u = rng.uniform(2 * i), v = rng.uniform(2 * i + 1);
    out[i] = static_cast<float>(sd * std::sqrt(-2.0 * std::log(u)) * std::cos(two_pi * v));
  }
  return true;
}

} // namespace cpq::runtime
