//===- pack_sse4_1.cpp - bit packing instantiated for sse4_1 ----------------===//
//
// This file instantiates the packing kernels of pack_simd.h for
// xsimd::sse4_1; it is the only code compiled with that instruction set's
// flags (kernels/CMakeLists.txt).
//
//===----------------------------------------------------------------------===//
#include "cpq/kernels/pack_simd.h"

namespace cpq {
CPQ_PACK_INSTANTIATE(xsimd::sse4_1)
} // namespace cpq
