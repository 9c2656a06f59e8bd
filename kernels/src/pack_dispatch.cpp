//===- pack_dispatch.cpp - run-time choice of the packing kernel ------------===//
//
// This file implements the dispatched entry points of pack.h. It is compiled
// at baseline flags: it only asks the CPU what it has and calls the kernel
// instantiated for the best instruction set in pack_arch_list.
//
//===----------------------------------------------------------------------===//
#include "cpq/kernels/pack.h"

#include <stdexcept>
#include <string>

namespace cpq {
namespace {
void check_bits(int bits) {
  if (bits < 1 || bits > 8)
    throw std::invalid_argument("packed codes have 1..8 bits, got " + std::to_string(bits));
}

struct ArchName {
  template <class Arch> const char *operator()(Arch) const { return Arch::name(); }
};
} // namespace

void pack_codes(const std::uint8_t *codes, std::size_t n, int bits, std::uint8_t *out) {
  check_bits(bits);
  xsimd::dispatch<pack_arch_list>(PackCodes{})(codes, n, bits, out);
}

void unpack_codes(const std::uint8_t *packed, std::size_t n, int bits, std::uint8_t *codes) {
  check_bits(bits);
  xsimd::dispatch<pack_arch_list>(UnpackCodes{})(packed, n, bits, codes);
}

const char *pack_arch_name() { return xsimd::dispatch<pack_arch_list>(ArchName{})(); }

} // namespace cpq
