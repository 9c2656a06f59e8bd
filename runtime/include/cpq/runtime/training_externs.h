//===- training_externs.h - C functions the training kernels call -*- C++ -*-===//
//
// This file declares the C functions a generated train_step calls once per
// call and quantized tensor: the DropBits mask of (seed, step, tensor id),
// drawn by the kernel core's counter-based generator (cpq/kernels/dropbits.h),
// so masks are the same in forward and backward, in JIT and AOT, and equal
// to the scalar reference's. A program linking AOT training kernels links
// cpq::training_externs.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstdint>

extern "C" {

/// The level mask (bit l set: level l survives) of one tensor at one step.
/// grid_kind: 0 signed, 1 unsigned, 2 symmetric; independent: 0 hierarchical.
/// Returns 0 (which every kernel rejects) for arguments the dialect's
/// verifier would have refused.
int32_t cpq_dropbits_mask(int32_t grid_kind, int32_t bits, double p, int32_t independent, int64_t seed,
                          int64_t step, int32_t tensor_id);
}
