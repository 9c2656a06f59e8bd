//===- test_bgemm.cpp - binary GEMM against the plain sum --------------------===//
//
// Every implementation this CPU runs against sum_k a * w over 0/1 values,
// bit-exactly: awkward m, n, k (partial words and 512-bit blocks), weight
// ranges (other columns untouched), dense and sparse bits; the products of
// the 1-bit grids derived from it (symmetric +-1 weights times 0/1
// activations, and +-1 times +-1); refusals.
//
//===----------------------------------------------------------------------===//
#define BOOST_TEST_MODULE bgemm
#include <boost/test/unit_test.hpp>

#include "cpq/kernels/bgemm.h"

#include <random>
#include <string>
#include <tuple>
#include <vector>

using namespace cpq;

namespace {

std::vector<BgemmIsa> isas() {
  std::vector<BgemmIsa> out;
  for (BgemmIsa isa : {BgemmIsa::Portable, BgemmIsa::Avx512Vpopcntdq})
    if (bgemm_supported(isa)) out.push_back(isa);
  return out;
}

std::vector<std::uint8_t> random_bits(std::int64_t count, double p_one, std::mt19937 &rng) {
  std::bernoulli_distribution one(p_one);
  std::vector<std::uint8_t> v(static_cast<std::size_t>(count));
  for (auto &x : v) x = one(rng) ? std::uint8_t(1 + rng() % 255) : 0; // any nonzero byte is a 1
  return v;
}

} // namespace

BOOST_AUTO_TEST_CASE(and_popcount_equals_the_plain_sum) {
  const std::vector<std::tuple<int, int, int>> shapes = {{1, 1, 1},   {1, 4, 64},   {3, 5, 63},   {4, 4, 512},
                                                         {5, 9, 513}, {7, 13, 1000}, {9, 3, 4097}, {16, 17, 129}};
  unsigned seed = 1;
  for (auto [m, n, k] : shapes)
    for (double p : {0.5, 0.05, 1.0}) {
      std::mt19937 rng(seed++);
      const auto av = random_bits(m * k, p, rng), wv = random_bits(n * k, p, rng);
      const BitRows a = to_bit_rows(av.data(), m, k, k), w = to_bit_rows(wv.data(), n, k, k);
      BOOST_TEST(a.words % 8 == 0);
      for (BgemmIsa isa : isas()) {
        for (auto [n0, n1] : {std::pair<std::int64_t, std::int64_t>{0, n}, {n / 2, n}}) {
          std::vector<std::int32_t> c(static_cast<std::size_t>(m * n), -7);
          bgemm_and_popcount_with(isa, a, w, c.data(), n, n0, n1);
          int wrong = 0;
          for (int r = 0; r < m; ++r)
            for (int o = 0; o < n; ++o) {
              int want = -7;
              if (o >= n0 && o < n1) {
                want = 0;
                for (int i = 0; i < k; ++i) want += (av[std::size_t(r * k + i)] != 0) && (wv[std::size_t(o * k + i)] != 0);
              }
              wrong += c[std::size_t(r * n + o)] != want;
            }
          BOOST_TEST(wrong == 0, bgemm_isa_name(isa) << " m=" << m << " n=" << n << " k=" << k << " p=" << p
                                                     << " range [" << n0 << ", " << n1 << ")");
        }
      }
    }
}

BOOST_AUTO_TEST_CASE(pack_bit_rows_equals_to_bit_rows) {
  // Every byte value (any nonzero byte is a 1), row strides beyond k, k
  // ending inside a byte group of eight, a word and a 512-bit block.
  unsigned seed = 50;
  for (auto [m, k, extra] : std::vector<std::tuple<int, int, int>>{
           {1, 1, 0}, {2, 7, 3}, {3, 9, 0}, {4, 63, 5}, {2, 64, 0}, {5, 65, 1}, {3, 511, 7}, {2, 512, 0}, {2, 1000, 9}})
    for (double p : {0.5, 0.03}) {
      std::mt19937 rng(seed++);
      const int ld = k + extra;
      auto v = random_bits(m * ld, p, rng);
      const BitRows want = to_bit_rows(v.data(), m, k, ld);
      BOOST_TEST(want.words == bit_row_words(k));
      for (BgemmIsa isa : isas()) {
        std::vector<std::uint64_t> got(static_cast<std::size_t>(m * bit_row_words(k)), 0x5555555555555555ull);
        pack_bit_rows_with(isa, v.data(), m, k, ld, got.data(), false);
        BOOST_TEST(got == want.bits, bgemm_isa_name(isa) << " m=" << m << " k=" << k << " ld=" << ld << " p=" << p);
      }
    }
  // positive: int8(byte) > 0, every byte value.
  for (auto [m, k, extra] : std::vector<std::tuple<int, int, int>>{{1, 256, 0}, {3, 77, 5}, {2, 1000, 3}}) {
    std::mt19937 rng(seed++);
    const int ld = k + extra;
    std::vector<std::uint8_t> v(static_cast<std::size_t>(m * ld));
    for (auto &x : v) x = std::uint8_t(rng());
    if (k == 256)
      for (int i = 0; i < 256; ++i) v[std::size_t(i)] = std::uint8_t(i);
    std::vector<std::uint8_t> positive(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) positive[i] = std::int8_t(v[i]) > 0;
    const BitRows want = to_bit_rows(positive.data(), m, k, ld);
    for (BgemmIsa isa : isas()) {
      std::vector<std::uint64_t> got(static_cast<std::size_t>(m * bit_row_words(k)), ~std::uint64_t(0));
      pack_bit_rows_with(isa, v.data(), m, k, ld, got.data(), true);
      BOOST_TEST(got == want.bits, bgemm_isa_name(isa) << " positive m=" << m << " k=" << k);
    }
  }
  std::vector<std::uint8_t> all(256);
  for (int i = 0; i < 256; ++i) all[std::size_t(i)] = std::uint8_t(i);
  std::vector<std::uint64_t> bits(static_cast<std::size_t>(bit_row_words(256)));
  pack_bit_rows(all.data(), 1, 256, 256, bits.data());
  BOOST_TEST(bits[0] == ~std::uint64_t(1)); // byte 0 is the only zero
  BOOST_TEST(bits[1] == ~std::uint64_t(0));
}

BOOST_AUTO_TEST_CASE(products_of_the_one_bit_grids) {
  std::mt19937 rng(9);
  const int m = 6, n = 11, k = 777;
  const auto av = random_bits(m * k, 0.4, rng), wv = random_bits(n * k, 0.5, rng);
  const BitRows a = to_bit_rows(av.data(), m, k, k), w = to_bit_rows(wv.data(), n, k, k);
  std::vector<std::int32_t> p(static_cast<std::size_t>(m * n)), ca(static_cast<std::size_t>(m)), cw(static_cast<std::size_t>(n));
  bgemm_and_popcount(a, w, p.data(), n, 0, n);
  bit_row_counts(a, ca.data());
  bit_row_counts(w, cw.data());
  for (int r = 0; r < m; ++r)
    for (int o = 0; o < n; ++o) {
      int unsigned_by_symmetric = 0, symmetric_by_symmetric = 0;
      for (int i = 0; i < k; ++i) {
        const int x = av[std::size_t(r * k + i)] != 0, q = wv[std::size_t(o * k + i)] != 0 ? 1 : -1;
        unsigned_by_symmetric += x * q;
        symmetric_by_symmetric += (x ? 1 : -1) * q;
      }
      const int P = p[std::size_t(r * n + o)];
      BOOST_TEST(2 * P - ca[std::size_t(r)] == unsigned_by_symmetric);
      BOOST_TEST(4 * P - 2 * ca[std::size_t(r)] - 2 * cw[std::size_t(o)] + k == symmetric_by_symmetric);
    }
}

BOOST_AUTO_TEST_CASE(refusals) {
  const std::vector<std::uint8_t> v(64, 1);
  BOOST_CHECK_THROW(to_bit_rows(v.data(), 0, 4, 4), std::invalid_argument);
  BOOST_CHECK_THROW(to_bit_rows(v.data(), 2, 8, 4), std::invalid_argument);
  const BitRows a = to_bit_rows(v.data(), 2, 8, 8), w = to_bit_rows(v.data(), 3, 7, 7), w8 = to_bit_rows(v.data(), 3, 8, 8);
  std::vector<std::int32_t> c(6);
  BOOST_CHECK_THROW(bgemm_and_popcount(a, w, c.data(), 3, 0, 3), std::invalid_argument); // k differs
  BOOST_CHECK_THROW(bgemm_and_popcount(a, w8, c.data(), 3, 0, 4), std::invalid_argument); // range
  BOOST_CHECK_THROW(bgemm_and_popcount(a, w8, c.data(), 2, 0, 3), std::invalid_argument); // ldc
}
