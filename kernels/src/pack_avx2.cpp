//===- pack_avx2.cpp - bit packing instantiated for avx2 ----------------===//
//
// This file instantiates the packing kernels of pack_simd.h for
// xsimd::avx2; it is the only code compiled with that instruction set's
// flags (kernels/CMakeLists.txt).
//
//===----------------------------------------------------------------------===//
#include "cpq/kernels/pack_simd.h"

namespace cpq {
CPQ_PACK_INSTANTIATE(xsimd::avx2)
} // namespace cpq
