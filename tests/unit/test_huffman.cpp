//===- test_huffman.cpp - length-limited canonical Huffman codes -----------===//
//
// Round trips over alphabets of 1 to 1000 symbols and skewed or flat
// counts; the mean code length within [H, H + 1) of the entropy; the
// length limit on counts that make deep trees (Fibonacci); canonical codes
// are prefix-free; and the decoder refuses lengths that are no code, a
// stream cut short and a bit pattern that is no code.
//
//===----------------------------------------------------------------------===//
#define BOOST_TEST_MODULE huffman
#include <boost/test/unit_test.hpp>

#include "cpq/kernels/huffman.h"

#include <random>

using namespace cpq;

namespace {

std::vector<std::uint32_t> geometric_symbols(std::size_t n, std::uint32_t alphabet, double p, unsigned seed) {
  std::mt19937 rng(seed);
  std::geometric_distribution<std::uint32_t> g(p);
  std::vector<std::uint32_t> s(n);
  for (auto &v : s) v = std::min(g(rng), alphabet - 1);
  return s;
}

std::vector<std::uint64_t> counts_of(const std::vector<std::uint32_t> &s, std::uint32_t alphabet) {
  std::vector<std::uint64_t> c(alphabet, 0);
  for (std::uint32_t v : s) ++c[v];
  return c;
}

void round_trip(const std::vector<std::uint32_t> &symbols, std::uint32_t alphabet, int max_length) {
  const auto counts = counts_of(symbols, alphabet);
  const auto lengths = huffman::code_lengths(counts, max_length);
  for (std::uint8_t l : lengths) BOOST_TEST(l <= max_length);
  huffman::BitWriter w;
  BOOST_TEST_REQUIRE(huffman::encode(lengths, symbols.data(), symbols.size(), w));
  BOOST_TEST(w.bits() == std::uint64_t(huffman::mean_length(counts, lengths) * double(symbols.size()) + 0.5));
  huffman::Decoder d;
  std::string error;
  BOOST_TEST_REQUIRE(d.init(lengths, error), error);
  std::vector<std::uint32_t> back(symbols.size());
  BOOST_TEST_REQUIRE(d.decode(w.bytes().data(), w.bits(), back.size(), back.data(), error), error);
  BOOST_TEST(back == symbols);
}

} // namespace

BOOST_AUTO_TEST_CASE(round_trips_over_alphabets_and_distributions) {
  for (std::uint32_t alphabet : {1u, 2u, 3u, 16u, 256u, 1000u})
    for (double p : {0.02, 0.3, 0.9}) {
      BOOST_TEST_CONTEXT("alphabet " << alphabet << ", p " << p) {
        round_trip(geometric_symbols(20000, alphabet, p, alphabet), alphabet, huffman::kMaxLength);
        round_trip(geometric_symbols(5000, alphabet, p, alphabet + 1), alphabet, 12); // long codes limited
      }
    }
  // Flat counts over 256 symbols: every code 8 bits.
  std::vector<std::uint32_t> flat(256 * 10);
  for (std::size_t i = 0; i < flat.size(); ++i) flat[i] = std::uint32_t(i % 256);
  const auto lengths = huffman::code_lengths(counts_of(flat, 256));
  for (std::uint8_t l : lengths) BOOST_TEST(l == 8);
  round_trip(flat, 256, huffman::kMaxLength);
}

BOOST_AUTO_TEST_CASE(the_mean_length_is_within_a_bit_of_the_entropy) {
  for (double p : {0.05, 0.2, 0.5, 0.8}) {
    const auto s = geometric_symbols(100000, 64, p, 7);
    const auto counts = counts_of(s, 64);
    const double h = huffman::entropy(counts), m = huffman::mean_length(counts, huffman::code_lengths(counts));
    BOOST_TEST(m >= h - 1e-12, "p " << p);
    BOOST_TEST(m < h + 1.0, "p " << p << ": mean " << m << " entropy " << h);
  }
}

BOOST_AUTO_TEST_CASE(lengths_are_limited_and_codes_prefix_free) {
  // Fibonacci counts make the deepest possible tree (depth 29 for 30 symbols).
  std::vector<std::uint64_t> counts = {1, 1};
  while (counts.size() < 30) counts.push_back(counts[counts.size() - 1] + counts[counts.size() - 2]);
  for (int limit : {5, 8, 12, 24}) {
    const auto lengths = huffman::code_lengths(counts, limit);
    std::vector<std::uint32_t> codes;
    BOOST_TEST_REQUIRE(huffman::canonical_codes(lengths, codes));
    for (std::size_t a = 0; a < codes.size(); ++a) {
      BOOST_TEST((lengths[a] >= 1 && lengths[a] <= limit));
      for (std::size_t b = 0; b < codes.size(); ++b) {
        if (a == b || lengths[a] > lengths[b]) continue;
        BOOST_TEST((codes[b] >> (lengths[b] - lengths[a])) != codes[a], "code " << a << " prefixes code " << b);
      }
    }
    std::vector<std::uint32_t> symbols;
    for (std::uint32_t s = 0; s < 30; ++s) symbols.insert(symbols.end(), std::min<std::uint64_t>(counts[s], 50), s);
    round_trip(symbols, 30, limit);
  }
}

BOOST_AUTO_TEST_CASE(what_is_no_code_is_refused) {
  huffman::Decoder d;
  std::string error;
  // Three codes of one bit break Kraft's inequality.
  BOOST_TEST(!d.init({1, 1, 1}, error));
  BOOST_TEST(error.find("Kraft") != std::string::npos, error);
  BOOST_TEST(!d.init({25, 1}, error)); // longer than kMaxLength
  // A stream cut short.
  const std::vector<std::uint32_t> symbols = geometric_symbols(1000, 16, 0.3, 3);
  const auto lengths = huffman::code_lengths(counts_of(symbols, 16));
  huffman::BitWriter w;
  BOOST_TEST_REQUIRE(huffman::encode(lengths, symbols.data(), symbols.size(), w));
  BOOST_TEST_REQUIRE(d.init(lengths, error), error);
  std::vector<std::uint32_t> back(symbols.size());
  BOOST_TEST(!d.decode(w.bytes().data(), w.bits() - 5, back.size(), back.data(), error));
  BOOST_TEST(error.find("ends") != std::string::npos, error);
  // A pattern that is no code: one symbol coded "0"; the bits "1..." are none.
  BOOST_TEST_REQUIRE(d.init({1, 0}, error), error);
  const std::uint8_t ones = 0xFF;
  std::uint32_t one = 0;
  BOOST_TEST(!d.decode(&ones, 8, 1, &one, error));
  BOOST_TEST(error.find("not a code") != std::string::npos, error);
  // A symbol without a code is not encoded.
  const std::uint32_t missing = 1;
  BOOST_TEST(!huffman::encode({1, 0}, &missing, 1, w));
}
