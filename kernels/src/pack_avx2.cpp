//===- pack_avx2.cpp - bit packing instantiated for avx2 ----------------===//
//
// This file instantiates the packing kernels of pack.h for xsimd::avx2; it
// is the only code compiled with that instruction set's flags.
//
//===----------------------------------------------------------------------===//
#include "cpq/kernels/pack_simd.h"

namespace cpq {
template void PackCodes::operator()<xsimd::avx2>(xsimd::avx2, const std::uint8_t *, std::size_t, int,
                                                 std::uint8_t *) const;
template void UnpackCodes::operator()<xsimd::avx2>(xsimd::avx2, const std::uint8_t *, std::size_t, int,
                                                   std::uint8_t *) const;
} // namespace cpq
