//===- training_externs.cpp - C functions the training kernels call ---------===//
//
// This file implements the DropBits mask draw the generated train_step
// calls, on the kernel core's generator.
//
//===----------------------------------------------------------------------===//
#include "cpq/runtime/training_externs.h"

#include "cpq/kernels/dropbits.h"

#include <exception>

extern "C" int32_t cpq_dropbits_mask(int32_t grid_kind, int32_t bits, double p, int32_t independent, int64_t seed,
                                     int64_t step, int32_t tensor_id) {
  try {
    const cpq::GridSpec g = cpq::make_grid(static_cast<cpq::GridKind>(grid_kind), bits);
    const cpq::DropBitsConfig cfg{p, independent ? cpq::DropBitsMode::Independent : cpq::DropBitsMode::Hierarchical};
    return cpq::draw_dropbits_mask(g, cfg, static_cast<std::uint64_t>(seed), static_cast<std::uint64_t>(step),
                                   static_cast<std::uint32_t>(tensor_id));
  } catch (const std::exception &) {
    return 0;
  }
}
