//===- test_pack.cpp - bit packing on every dispatched instruction set -----===//
//
// Pack/unpack round trips, bit-exact agreement with the scalar reference,
// zero padding bits and no writes past the packed size, for b = 1..8 and
// awkward sizes, on every instruction set of pack_arch_list this CPU runs.
//
//===----------------------------------------------------------------------===//
#define BOOST_TEST_MODULE pack
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "cpq/kernels/pack.h"

#include <random>
#include <string>
#include <vector>

namespace bdata = boost::unit_test::data;
using namespace cpq;

namespace {
constexpr std::uint8_t kGuard = 0xA5;
constexpr std::size_t kGuardBytes = 64;

/// Codes with random high bits above `bits`: the kernels must ignore them.
std::vector<std::uint8_t> random_codes(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<std::uint8_t> c(n);
  for (auto &v : c) v = static_cast<std::uint8_t>(rng());
  return c;
}

template <class Arch> void check_arch(std::size_t n, int bits) {
  if (!arch_available<Arch>()) {
    BOOST_TEST_MESSAGE(Arch::name() << " not available on this CPU: skipped");
    return;
  }
  BOOST_TEST_CONTEXT(Arch::name() << " bits=" << bits << " n=" << n) {
    const auto codes = random_codes(n, static_cast<unsigned>(n * 8 + bits));
    const std::size_t bytes = packed_bytes(n, bits);
    std::vector<std::uint8_t> expected(bytes);
    pack_codes_reference(codes.data(), n, bits, expected.data());

    // Garbage in the output and guard bytes after it.
    std::vector<std::uint8_t> packed(bytes + kGuardBytes, kGuard);
    PackCodes{}(Arch{}, codes.data(), n, bits, packed.data());
    BOOST_TEST_REQUIRE(std::equal(expected.begin(), expected.end(), packed.begin()));
    for (std::size_t i = bytes; i < packed.size(); ++i) BOOST_TEST_REQUIRE(packed[i] == kGuard);
    const std::size_t used_bits = n * static_cast<std::size_t>(bits);
    if (used_bits % 8 != 0) BOOST_TEST((packed[bytes - 1] >> (used_bits % 8)) == 0, "padding bits are zero");

    std::vector<std::uint8_t> unpacked(n + kGuardBytes, kGuard);
    UnpackCodes{}(Arch{}, packed.data(), n, bits, unpacked.data());
    const unsigned mask = (1u << bits) - 1u;
    for (std::size_t i = 0; i < n; ++i) BOOST_TEST_REQUIRE(unsigned(unpacked[i]) == (codes[i] & mask), "i=" << i);
    for (std::size_t i = n; i < unpacked.size(); ++i) BOOST_TEST_REQUIRE(unpacked[i] == kGuard);
  }
}

struct CheckAll {
  std::size_t n;
  int bits;
  template <class Arch> void operator()(Arch) const { check_arch<Arch>(n, bits); }
};
} // namespace

BOOST_DATA_TEST_CASE(round_trip_on_every_arch,
                     bdata::make({1, 3, 7, 8, 9, 33, 63, 64, 65, 127, 4101, 1000003}) * bdata::xrange(1, 9), n, bits) {
  pack_arch_list::for_each(CheckAll{static_cast<std::size_t>(n), bits});
}

BOOST_AUTO_TEST_CASE(reference_layout_is_little_endian_within_bytes) {
  // Three 3-bit codes 5, 3, 6: stream bits 101 | 011 << 3 | 110 << 6.
  const std::uint8_t codes[3] = {5, 3, 6};
  std::uint8_t out[2];
  pack_codes_reference(codes, 3, 3, out);
  BOOST_TEST(out[0] == ((5u | 3u << 3 | 6u << 6) & 0xFFu));
  BOOST_TEST(out[1] == (6u >> 2));
  // One group of eight 3-bit codes is PackedGroup<3>: three bytes.
  const std::uint8_t eight[8] = {1, 2, 3, 4, 5, 6, 7, 0};
  PackedGroup<3> group;
  pack_codes_reference(eight, 8, 3, group.bytes);
  std::uint32_t stream = 0;
  for (int i = 0; i < 8; ++i) stream |= std::uint32_t(eight[i]) << (3 * i);
  BOOST_TEST(group.bytes[0] == (stream & 0xFF));
  BOOST_TEST(group.bytes[1] == ((stream >> 8) & 0xFF));
  BOOST_TEST(group.bytes[2] == ((stream >> 16) & 0xFF));
  BOOST_TEST(packed_bytes(0, 5) == 0u);
  BOOST_TEST(packed_bytes(3, 3) == 2u);
  BOOST_TEST(packed_bytes(8, 7) == 7u);
}

BOOST_AUTO_TEST_CASE(dispatched_entry_points) {
  BOOST_TEST_MESSAGE("packing dispatches to " << pack_arch_name());
  const auto codes = random_codes(1001, 5);
  for (int bits = 1; bits <= 8; ++bits) {
    std::vector<std::uint8_t> a(packed_bytes(1001, bits)), b(a.size()), back(1001);
    pack_codes(codes.data(), 1001, bits, a.data());
    pack_codes_reference(codes.data(), 1001, bits, b.data());
    BOOST_TEST(a == b);
    unpack_codes(a.data(), 1001, bits, back.data());
    for (std::size_t i = 0; i < back.size(); ++i) BOOST_TEST_REQUIRE(back[i] == (codes[i] & ((1u << bits) - 1u)));
  }
  std::uint8_t dummy[4] = {};
  BOOST_CHECK_THROW(pack_codes(dummy, 1, 0, dummy), std::invalid_argument);
  BOOST_CHECK_THROW(unpack_codes(dummy, 1, 9, dummy), std::invalid_argument);
  pack_codes(dummy, 0, 4, dummy); // empty input is fine
}
