//===- pack_sse4_1.cpp - bit packing instantiated for sse4_1 ----------------===//
//
// This file instantiates the packing kernels of pack.h for xsimd::sse4_1; it
// is the only code compiled with that instruction set's flags.
//
//===----------------------------------------------------------------------===//
#include "cpq/kernels/pack_simd.h"

namespace cpq {
template void PackCodes::operator()<xsimd::sse4_1>(xsimd::sse4_1, const std::uint8_t *, std::size_t, int,
                                                 std::uint8_t *) const;
template void UnpackCodes::operator()<xsimd::sse4_1>(xsimd::sse4_1, const std::uint8_t *, std::size_t, int,
                                                   std::uint8_t *) const;
} // namespace cpq
