//===- init.h - initial values of a network's parameters ----------*- C++ -*-===//
//
// This file declares how a training run gives each `cpq.param` its first
// value, from the op's `init` attribute: he_normal (N(0, 2 / fan_in)),
// glorot_uniform (U(-l, l), l = sqrt(6 / (fan_in + fan_out))), zeros, ones,
// or constant (the op's `value`, one number or one per element). Fans are
// taken from an MLIR-order shape: dense [out, in] and conv [out, in, kh, kw]
// (fan_in = in * kh * kw, fan_out = out * kh * kw). Random draws come from
// the kernel core's counter-based generator (purpose Init) keyed by the run's
// seed and a hash of the parameter's name, so a parameter starts from the
// same numbers in every network that has it under that name (an FP32 run and
// a W2A2 run of one seed start from the same weights).
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace cpq::runtime {

struct ParamInit {
  std::string kind;          ///< he_normal, glorot_uniform, zeros, ones, constant
  std::vector<float> values; ///< constant: one value (a splat) or one per element
};

/// A stable 32-bit id of a parameter name (FNV-1a), the generator's tensor id.
std::uint32_t parameter_id(const std::string &name);

/// Fills `out` (row-major, product of `shape` elements) with the first value
/// of parameter `name`; false with `error` naming it when the kind is unknown,
/// a random kind meets a shape of rank < 2, or constant values do not fit.
bool initial_value(const std::string &name, const ParamInit &init, const std::vector<std::int64_t> &shape,
                   std::uint64_t seed, std::vector<float> &out, std::string &error);

} // namespace cpq::runtime
