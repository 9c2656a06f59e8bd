//===- pack_simd.h - the SIMD bit-packing kernel ------------------*- C++ -*-===//
//
// This file implements the bodies of PackCodes and UnpackCodes (pack.h) over
// `xsimd::batch<uint64_t, Arch>`. Include it only from a translation unit
// compiled for Arch's instruction set (kernels/src/pack_<arch>.cpp): an inline
// body seen at baseline flags would be instantiated there too.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "cpq/kernels/pack.h"

#include <type_traits>

namespace cpq {

namespace detail {

/// A 64-bit lane holds eight codes, one per byte (byte k = code k). Squeezing
/// merges neighbours in three doubling steps until the lane's low 8*b bits
/// are the packed group:
///
///   step   fields        each field after the step
///   1      8 x 8 bit  -> 4 x 16 bit: c[2k] | c[2k+1] << b
///   2      4 x 16 bit -> 2 x 32 bit: f[2k] | f[2k+1] << 2b
///   3      2 x 32 bit -> 1 x 64 bit: f[0]  | f[1]    << 4b
template <int B, class Arch>
inline xsimd::batch<std::uint64_t, Arch> squeeze_group(xsimd::batch<std::uint64_t, Arch> w) {
  using batch = xsimd::batch<std::uint64_t, Arch>;
  constexpr std::uint64_t code_mask = 0x0101010101010101ull * ((1u << B) - 1u);
  const batch even8(0x00FF00FF00FF00FFull), even16(0x0000FFFF0000FFFFull), even32(0x00000000FFFFFFFFull);
  w = w & batch(code_mask);
  w = (w & even8) | (((w >> 8) & even8) << B);
  w = (w & even16) | (((w >> 16) & even16) << (2 * B));
  w = (w & even32) | ((w >> 32) << (4 * B));
  return w;
}

/// The inverse of squeeze_group: spreads the low 8*b bits of a lane into eight
/// bytes, one code per byte, high bits zero.
template <int B, class Arch>
inline xsimd::batch<std::uint64_t, Arch> spread_group(xsimd::batch<std::uint64_t, Arch> w) {
  using batch = xsimd::batch<std::uint64_t, Arch>;
  constexpr std::uint64_t m4 = (1ull << (4 * B)) - 1ull;
  constexpr std::uint64_t m2 = 0x0000000100000001ull * ((1ull << (2 * B)) - 1ull);
  constexpr std::uint64_t m1 = 0x0001000100010001ull * ((1ull << B) - 1ull);
  w = (w & batch(m4)) | (((w >> (4 * B)) & batch(m4)) << 32);
  w = (w & batch(m2)) | (((w >> (2 * B)) & batch(m2)) << 16);
  w = (w & batch(m1)) | (((w >> B) & batch(m1)) << 8);
  return w;
}

template <int B, class Arch>
void pack_groups(const std::uint8_t *codes, std::size_t n, std::uint8_t *out) {
  using batch = xsimd::batch<std::uint64_t, Arch>;
  constexpr std::size_t L = batch::size; // groups (of 8 codes) per batch
  const std::size_t total = packed_bytes(n, B);
  std::size_t g = 0;
  if constexpr (B == 8) {
    std::memcpy(out, codes, n);
    return;
  } else {
    alignas(64) std::uint64_t words[L];
    // Each group is written as one 8-byte store at offset g*B, overlapping the
    // next group's bytes (rewritten by it); stop while such stores stay in
    // bounds and finish with the scalar reference.
    for (; (g + L) * 8 <= n && (g + L - 1) * B + 8 <= total; g += L) {
      batch w = batch::load_unaligned(reinterpret_cast<const std::uint64_t *>(codes + 8 * g));
      squeeze_group<B, Arch>(w).store_aligned(words);
      for (std::size_t k = 0; k < L; ++k) std::memcpy(out + (g + k) * B, &words[k], 8);
    }
  }
  pack_codes_reference<Arch>(codes + 8 * g, n - 8 * g, B, out + g * B);
}

template <int B, class Arch>
void unpack_groups(const std::uint8_t *packed, std::size_t n, std::uint8_t *codes) {
  using batch = xsimd::batch<std::uint64_t, Arch>;
  constexpr std::size_t L = batch::size;
  const std::size_t total = packed_bytes(n, B);
  std::size_t g = 0;
  if constexpr (B == 8) {
    std::memcpy(codes, packed, n);
    return;
  } else {
    alignas(64) std::uint64_t words[L];
    // Group k is read as 8 bytes from offset k*B; the bytes past its own b
    // are removed by the masks of spread_group.
    for (; (g + L) * 8 <= n && (g + L - 1) * B + 8 <= total; g += L) {
      for (std::size_t k = 0; k < L; ++k) std::memcpy(&words[k], packed + (g + k) * B, 8);
      spread_group<B, Arch>(batch::load_aligned(words))
          .store_unaligned(reinterpret_cast<std::uint64_t *>(codes + 8 * g));
    }
  }
  unpack_codes_reference<Arch>(packed + g * B, n - 8 * g, B, codes + 8 * g);
}

template <class Arch, class F> void with_code_bits(int bits, F &&f) {
  switch (bits) {
  case 1: f(std::integral_constant<int, 1>{}); break;
  case 2: f(std::integral_constant<int, 2>{}); break;
  case 3: f(std::integral_constant<int, 3>{}); break;
  case 4: f(std::integral_constant<int, 4>{}); break;
  case 5: f(std::integral_constant<int, 5>{}); break;
  case 6: f(std::integral_constant<int, 6>{}); break;
  case 7: f(std::integral_constant<int, 7>{}); break;
  case 8: f(std::integral_constant<int, 8>{}); break;
  default: break;
  }
}

} // namespace detail

template <class Arch>
void PackCodes::operator()(Arch, const std::uint8_t *codes, std::size_t n, int bits, std::uint8_t *out) const {
  detail::with_code_bits<Arch>(bits, [&](auto b) { detail::pack_groups<decltype(b)::value, Arch>(codes, n, out); });
}

template <class Arch>
void UnpackCodes::operator()(Arch, const std::uint8_t *packed, std::size_t n, int bits, std::uint8_t *codes) const {
  detail::with_code_bits<Arch>(bits, [&](auto b) { detail::unpack_groups<decltype(b)::value, Arch>(packed, n, codes); });
}

/// Explicit instantiation of both kernels for one Arch, for the
/// kernels/src/pack_<arch>.cpp files (at namespace cpq scope).
#define CPQ_PACK_INSTANTIATE(ARCH)                                                                  \
  template void PackCodes::operator()<ARCH>(ARCH, const std::uint8_t *, std::size_t, int,           \
                                            std::uint8_t *) const;                                  \
  template void UnpackCodes::operator()<ARCH>(ARCH, const std::uint8_t *, std::size_t, int,         \
                                              std::uint8_t *) const;

} // namespace cpq
