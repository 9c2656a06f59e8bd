//===- training_externs.h - C functions the training kernels call -*- C++ -*-===//
//
// This file declares the C functions a generated train_step calls once per
// call and quantized tensor: the DropBits mask of (seed, step, tensor id)
// and the hard-concrete gates of learned bit-widths, drawn by the kernel
// core's counter-based generator (cpq/kernels/dropbits.h, gates.h), so masks
// and gates are the same in forward and backward, in JIT and AOT, and equal
// to the scalar reference's. A program linking AOT training kernels links
// cpq::training_externs.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstdint>

extern "C" {

/// The level mask (bit l set: level l survives) of one tensor at one step.
/// grid_kind: 0 signed, 1 unsigned, 2 symmetric; independent: 0 hierarchical.
/// Returns -1 (which every kernel rejects) for arguments the dialect's
/// verifier would have refused, and records why for
/// cpq_training_extern_error.
int32_t cpq_dropbits_mask(int32_t grid_kind, int32_t bits, double p, int32_t independent, int64_t seed,
                          int64_t step, int32_t tensor_id);

/// Why the last call of a function here on this thread failed ("" if none
/// since the last clear): the kernel loader adds it to the message of the
/// kernel call it failed in, so the cause is not lost behind the kernel's
/// own check of the result.
const char *cpq_training_extern_error(void);
void cpq_training_extern_error_clear(void);

/// What cpq_hard_concrete_gate returns.
enum {
  CPQ_GATE_DETERMINISTIC_Z = 0, ///< the evaluation gate (seed, step unused)
  CPQ_GATE_SAMPLED_Z = 1,       ///< the training gate of (seed, step, tensor id)
  CPQ_GATE_SAMPLED_DZ = 2,      ///< its derivative in log_a
};

/// Gate of level `level` (2..8) of one tensor whose logit is `log_a`, with
/// the default hard-concrete parameters (cpq::HardConcrete). Returns NaN for
/// a level or mode out of range.
double cpq_hard_concrete_gate(double log_a, int64_t seed, int64_t step, int32_t tensor_id, int32_t level,
                              int32_t mode);
}
