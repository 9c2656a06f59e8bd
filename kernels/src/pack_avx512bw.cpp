//===- pack_avx512bw.cpp - bit packing instantiated for avx512bw ----------------===//
//
// This file instantiates the packing kernels of pack.h for xsimd::avx512bw; it
// is the only code compiled with that instruction set's flags.
//
//===----------------------------------------------------------------------===//
#include "cpq/kernels/pack_simd.h"

namespace cpq {
template void PackCodes::operator()<xsimd::avx512bw>(xsimd::avx512bw, const std::uint8_t *, std::size_t, int,
                                                 std::uint8_t *) const;
template void UnpackCodes::operator()<xsimd::avx512bw>(xsimd::avx512bw, const std::uint8_t *, std::size_t, int,
                                                   std::uint8_t *) const;
} // namespace cpq
