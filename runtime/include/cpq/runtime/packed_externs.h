//===- packed_externs.h - C functions the packed inference kernels call -*- C++ -*-===//
//
// This file declares the extern stages a generated packed qdense / qconv2d
// calls for its integer product: cpq::qgemm_u8 (cpq/kernels/qgemm.h) on
// weights the code generator put in the panel layout at compile time, and
// for 1-bit weights on 1-bit activations (codes 0/1 or levels -1/+1) AND
// and popcount on bit rows (cpq/kernels/bgemm.h). A
// program linking AOT packed kernels links cpq::packed_externs;
// cpq-compile's shared objects include it.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <HalideRuntime.h>

#include <cstdint>

extern "C" {

/// out(o, row) = sum_k x(k, row) * level(o, k) for the rows and outputs of
/// `out`'s region, as a Halide extern stage: `x` uint8 (k innermost, dense),
/// `panels` the weights' bytes in the panel layout, `grid_kind` 0 signed,
/// 1 unsigned or 2 symmetric (8-bit grids: signed only), `bits` 1..8, `n` outputs, `k` the reduction; `out` int32 (o
/// innermost, dense). In a bounds query it asks for all of k and the rows of
/// `out`. The region of o must start and end on 16-output panels (or at n).
/// Returns 0, or -1 for buffers it cannot take.
int cpq_qgemm_u8(halide_buffer_t *x, halide_buffer_t *panels, int32_t grid_kind, int32_t bits, int32_t n, int32_t k,
                 halide_buffer_t *out);

/// The same for 1-bit weights (grid `weight_kind`) held as bit rows (`bits`:
/// n rows of bit_row_words(k) 64-bit words, bit i of a row the code of
/// weight k = i, as bytes) and 1-bit activations: `activation_kind` 1,
/// codes 0/1 of the unsigned grid (any nonzero byte counts as 1), or 2,
/// levels -1/+1 of the symmetric grid (int8; > 0 counts as 1). The
/// activations are packed into bit rows, multiplied by AND and popcount,
/// and the sums of the grids' levels follow from the popcounts
/// (cpq/kernels/bgemm.h). The region of o is free.
int cpq_bgemm_b1(halide_buffer_t *x, halide_buffer_t *bits, int32_t weight_kind, int32_t activation_kind, int32_t n,
                 int32_t k, halide_buffer_t *out);
}
