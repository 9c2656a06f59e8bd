//===- pack.h - bit packing of b-bit codes ------------------------*- C++ -*-===//
//
// This file implements the packed layout of b-bit grid codes (b = 1..8), its
// scalar reference, and the SIMD kernel written once over
// `xsimd::batch<uint64_t, Arch>`. The kernel is instantiated per instruction
// set in kernels/src/pack_<arch>.cpp (each compiled with that ISA's flags, the
// only files that include pack_simd.h, where the kernel body lives) and
// chosen at run time by `xsimd::dispatch` in kernels/src/pack_dispatch.cpp,
// which is compiled at baseline flags.
//
// Packed layout (little-endian within bytes). Code i occupies bits
// [i*b, i*b + b) of a bit stream whose bit k is bit (k mod 8) of byte k/8,
// least significant code bit first. n codes take ceil(n*b/8) bytes and the
// bits past n*b in the last byte are zero. Eight codes fill exactly b bytes,
// so the stream is an array of `PackedGroup<b>`; for b = 3:
//
//   byte 0: c0[0:3] | c1[0:3] << 3 | c2[0:2] << 6
//   byte 1: c2[2]   | c3[0:3] << 1 | c4[0:3] << 4 | c5[0] << 7
//   byte 2: c5[1:3] | c6[0:3] << 2 | c7[0:3] << 5
//
//===----------------------------------------------------------------------===//
#pragma once

#include <xsimd/xsimd.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace cpq {

/// Eight b-bit codes, packed little-endian into exactly b bytes.
template <int Bits> struct PackedGroup {
  static_assert(Bits >= 1 && Bits <= 8, "codes have 1..8 bits");
  static constexpr int kCodes = 8;
  std::uint8_t bytes[Bits];
};
static_assert(sizeof(PackedGroup<1>) == 1 && sizeof(PackedGroup<2>) == 2 &&
              sizeof(PackedGroup<3>) == 3 && sizeof(PackedGroup<4>) == 4 &&
              sizeof(PackedGroup<5>) == 5 && sizeof(PackedGroup<6>) == 6 &&
              sizeof(PackedGroup<7>) == 7 && sizeof(PackedGroup<8>) == 8,
              "a group of eight b-bit codes is exactly b bytes");

/// Bytes that n packed b-bit codes occupy.
constexpr std::size_t packed_bytes(std::size_t n, int bits) {
  return (n * static_cast<std::size_t>(bits) + 7) / 8;
}

//===----------------------------------------------------------------------===//
// Scalar reference
//===----------------------------------------------------------------------===//

// The reference functions are templates over an arch tag only so that each
// ISA's translation unit gets its own copy for its scalar tail: an inline
// non-template function compiled with AVX-512 flags in one file could be the
// copy the linker keeps for every caller.

/// Packs n codes; only the low `bits` bits of each code are stored. Writes
/// all packed_bytes(n, bits) bytes, padding bits zero.
template <class Tag = void>
inline void pack_codes_reference(const std::uint8_t *codes, std::size_t n, int bits, std::uint8_t *out) {
  std::memset(out, 0, packed_bytes(n, bits));
  const unsigned mask = (1u << bits) - 1u;
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t bit = i * static_cast<std::size_t>(bits);
    const unsigned v = (codes[i] & mask) << (bit % 8);
    out[bit / 8] |= static_cast<std::uint8_t>(v);
    if ((bit % 8) + static_cast<std::size_t>(bits) > 8) out[bit / 8 + 1] |= static_cast<std::uint8_t>(v >> 8);
  }
}

/// Unpacks n codes from packed_bytes(n, bits) bytes.
template <class Tag = void>
inline void unpack_codes_reference(const std::uint8_t *packed, std::size_t n, int bits, std::uint8_t *codes) {
  const unsigned mask = (1u << bits) - 1u;
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t bit = i * static_cast<std::size_t>(bits);
    unsigned v = packed[bit / 8];
    if ((bit % 8) + static_cast<std::size_t>(bits) > 8) v |= static_cast<unsigned>(packed[bit / 8 + 1]) << 8;
    codes[i] = static_cast<std::uint8_t>((v >> (bit % 8)) & mask);
  }
}

//===----------------------------------------------------------------------===//
// SIMD kernel (declared here, defined in pack_simd.h)
//===----------------------------------------------------------------------===//

/// The portable path as an xsimd-style arch tag, last in the dispatch list:
/// it runs the scalar reference and is always available.
struct portable_arch {
  static constexpr bool supported() noexcept { return true; }
  static constexpr bool available() noexcept { return true; }
  static constexpr unsigned version() noexcept { return 0; }
  static constexpr std::size_t alignment() noexcept { return 1; }
  static constexpr bool requires_alignment() noexcept { return false; }
  static constexpr const char *name() noexcept { return "scalar"; }
};

/// Instruction sets the packing kernels are built for, best first.
using pack_arch_list = xsimd::arch_list<xsimd::avx512bw, xsimd::avx2, xsimd::sse4_1, portable_arch>;

/// Whether this CPU (and OS) can run code built for `Arch`; the same test
/// xsimd::dispatch makes.
template <class Arch> bool arch_available(Arch = {}) {
  return Arch::version() <= xsimd::available_architectures().best;
}


/// Functor packing n codes of `bits` bits. The SIMD member is defined in
/// pack_simd.h and instantiated once per Arch in kernels/src/pack_<arch>.cpp,
/// so no file compiled at baseline flags ever instantiates it.
struct PackCodes {
  template <class Arch>
  void operator()(Arch, const std::uint8_t *codes, std::size_t n, int bits, std::uint8_t *out) const;
  void operator()(portable_arch, const std::uint8_t *codes, std::size_t n, int bits, std::uint8_t *out) const {
    pack_codes_reference(codes, n, bits, out);
  }
};

/// Functor unpacking n codes of `bits` bits; see PackCodes.
struct UnpackCodes {
  template <class Arch>
  void operator()(Arch, const std::uint8_t *packed, std::size_t n, int bits, std::uint8_t *codes) const;
  void operator()(portable_arch, const std::uint8_t *packed, std::size_t n, int bits, std::uint8_t *codes) const {
    unpack_codes_reference(packed, n, bits, codes);
  }
};

// Instantiated in kernels/src/pack_<arch>.cpp with that ISA's flags.
#define CPQ_PACK_DECLARE(ARCH)                                                                      \
  extern template void PackCodes::operator()<ARCH>(ARCH, const std::uint8_t *, std::size_t, int,    \
                                                   std::uint8_t *) const;                           \
  extern template void UnpackCodes::operator()<ARCH>(ARCH, const std::uint8_t *, std::size_t, int,  \
                                                     std::uint8_t *) const;
CPQ_PACK_DECLARE(xsimd::avx512bw)
CPQ_PACK_DECLARE(xsimd::avx2)
CPQ_PACK_DECLARE(xsimd::sse4_1)
#undef CPQ_PACK_DECLARE

//===----------------------------------------------------------------------===//
// Dispatched entry points (kernels/src/pack_dispatch.cpp)
//===----------------------------------------------------------------------===//

/// Packs n codes (values 0..2^bits-1; higher bits are ignored) into
/// packed_bytes(n, bits) bytes at `out`, with the best instruction set of
/// this CPU. Throws std::invalid_argument unless 1 <= bits <= 8.
void pack_codes(const std::uint8_t *codes, std::size_t n, int bits, std::uint8_t *out);

/// Unpacks n codes of `bits` bits from `packed`.
void unpack_codes(const std::uint8_t *packed, std::size_t n, int bits, std::uint8_t *codes);

/// Name of the instruction set pack_codes and unpack_codes use on this CPU.
const char *pack_arch_name();

} // namespace cpq
