//===- pack_avx512bw.cpp - bit packing instantiated for avx512bw ----------------===//
//
// This file instantiates the packing kernels of pack_simd.h for
// xsimd::avx512bw; it is the only code compiled with that instruction set's
// flags (kernels/CMakeLists.txt).
//
//===----------------------------------------------------------------------===//
#include "cpq/kernels/pack_simd.h"

namespace cpq {
CPQ_PACK_INSTANTIATE(xsimd::avx512bw)
} // namespace cpq
