//===- training_externs.cpp - C functions the training kernels call ---------===//
//
// This file implements the DropBits mask and hard-concrete gate draws the
// generated train_step calls, on the kernel core's generator.
//
//===----------------------------------------------------------------------===//
#include "cpq/runtime/training_externs.h"

#include "cpq/kernels/dropbits.h"
#include "cpq/kernels/gates.h"

#include <exception>
#include <limits>
#include <string>

namespace {
thread_local std::string last_error;
} // namespace

extern "C" const char *cpq_training_extern_error(void) { return last_error.c_str(); }
extern "C" void cpq_training_extern_error_clear(void) { last_error.clear(); }

extern "C" int32_t cpq_dropbits_mask(int32_t grid_kind, int32_t bits, double p, int32_t independent, int64_t seed,
                                     int64_t step, int32_t tensor_id) {
  try {
    const cpq::GridSpec g = cpq::make_grid(static_cast<cpq::GridKind>(grid_kind), bits);
    const cpq::DropBitsConfig cfg{p, independent ? cpq::DropBitsMode::Independent : cpq::DropBitsMode::Hierarchical};
    return cpq::draw_dropbits_mask(g, cfg, static_cast<std::uint64_t>(seed), static_cast<std::uint64_t>(step),
                                   static_cast<std::uint32_t>(tensor_id));
  } catch (const std::exception &e) {
    last_error = std::string("cpq_dropbits_mask(grid ") + std::to_string(grid_kind) + ", bits " +
                 std::to_string(bits) + ", p " + std::to_string(p) + "): " + e.what();
    return -1;
  }
}

extern "C" double cpq_hard_concrete_gate(double log_a, int64_t seed, int64_t step, int32_t tensor_id, int32_t level,
                                         int32_t mode) {
  if (level < 2 || level > cpq::kMaxBits) return std::numeric_limits<double>::quiet_NaN();
  if (mode == CPQ_GATE_DETERMINISTIC_Z) return cpq::hard_concrete_deterministic(log_a);
  if (mode != CPQ_GATE_SAMPLED_Z && mode != CPQ_GATE_SAMPLED_DZ) return std::numeric_limits<double>::quiet_NaN();
  // draw_gates reads word l - 2 of the stream for level l; only this level's
  // logit matters, so the others are left at zero.
  double log_as[cpq::kMaxBits] = {};
  log_as[level - 2] = log_a;
  const cpq::GateSet g = cpq::draw_gates(level, log_as, static_cast<std::uint64_t>(seed),
                                         static_cast<std::uint64_t>(step), static_cast<std::uint32_t>(tensor_id));
  const cpq::GateValue v = g.level[level - 2];
  return mode == CPQ_GATE_SAMPLED_Z ? v.z : v.dz_dlog_a;
}
