//===- test_lut_gemv.cpp - the lookup-table product against its reference ---===//
//
// Every implementation this CPU runs against lut_gemv_reference, bit for bit,
// at every codebook size 1..16 and awkward shapes (columns not a multiple of
// a chunk, fewer rows than a block of four, row sub-ranges with the other
// outputs untouched); the reference against the same sum in double (the
// contract's order changes rounding only); the layout round-trips its
// indices; bad codebooks, indices and row ranges are refused.
//
//===----------------------------------------------------------------------===//
#define BOOST_TEST_MODULE lut_gemv
#include <boost/test/unit_test.hpp>

#include "cpq/kernels/lut_gemv.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

using namespace cpq;

namespace {

std::vector<LutIsa> isas() {
  std::vector<LutIsa> out;
  for (LutIsa isa : {LutIsa::Portable, LutIsa::Avx512})
    if (lut_supported(isa)) out.push_back(isa);
  return out;
}

struct Case {
  std::vector<std::uint8_t> indices;
  std::vector<float> x;
  LutMatrix w;
};

Case random_case(std::int64_t rows, std::int64_t cols, int entries, std::mt19937 &rng) {
  std::uniform_real_distribution<float> value(-2.0f, 2.0f);
  std::vector<float> book(static_cast<std::size_t>(entries));
  for (float &v : book) v = value(rng);
  Case c;
  c.indices.resize(std::size_t(rows * cols));
  for (auto &i : c.indices) i = std::uint8_t(rng() % std::uint32_t(entries));
  c.x.resize(std::size_t(cols));
  for (float &v : c.x) v = value(rng);
  c.w = LutMatrix::from_indices(c.indices.data(), rows, cols, book);
  return c;
}

bool same_bits(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; }

} // namespace

BOOST_AUTO_TEST_CASE(layout_round_trips_indices) {
  std::mt19937 rng(1);
  for (std::int64_t cols : {1, 2, 31, 127, 128, 129, 300}) {
    Case c = random_case(3, cols, 16, rng);
    BOOST_TEST(c.w.row_bytes == (cols + 127) / 128 * 64);
    for (std::int64_t r = 0; r < 3; ++r)
      for (std::int64_t j = 0; j < cols; ++j) BOOST_TEST(c.w.index(r, j) == c.indices[std::size_t(r * cols + j)]);
  }
}

BOOST_AUTO_TEST_CASE(reference_is_the_plain_sum_up_to_rounding) {
  std::mt19937 rng(2);
  for (std::int64_t cols : {1, 7, 32, 100, 1000}) {
    Case c = random_case(5, cols, 11, rng);
    std::vector<float> y(5);
    lut_gemv_reference(c.w, c.x.data(), y.data(), 0, 5);
    for (std::int64_t r = 0; r < 5; ++r) {
      double want = 0, scale = 0;
      for (std::int64_t j = 0; j < cols; ++j) {
        const double t = double(c.w.codebook[c.indices[std::size_t(r * cols + j)]]) * c.x[std::size_t(j)];
        want += t, scale += std::fabs(t);
      }
      BOOST_TEST(std::fabs(y[std::size_t(r)] - want) <= 1e-6 * scale + 1e-30, "row " << r << " cols " << cols);
    }
  }
}

BOOST_AUTO_TEST_CASE(every_isa_equals_the_reference_bit_for_bit) {
  std::mt19937 rng(3);
  for (LutIsa isa : isas())
    for (int entries = 1; entries <= 16; ++entries)
      for (std::int64_t rows : {1, 3, 4, 5, 9})
        for (std::int64_t cols : {1, 15, 16, 33, 127, 128, 129, 256, 300, 1000}) {
          Case c = random_case(rows, cols, entries, rng);
          std::vector<float> want(static_cast<std::size_t>(rows)), got(static_cast<std::size_t>(rows), -7.0f);
          lut_gemv_reference(c.w, c.x.data(), want.data(), 0, rows);
          lut_gemv_with(isa, c.w, c.x.data(), got.data(), 0, rows);
          for (std::int64_t r = 0; r < rows; ++r)
            BOOST_TEST(same_bits(got[std::size_t(r)], want[std::size_t(r)]),
                       lut_isa_name(isa) << " entries " << entries << " " << rows << "x" << cols << " row " << r
                                         << ": " << got[std::size_t(r)] << " vs " << want[std::size_t(r)]);
        }
}

BOOST_AUTO_TEST_CASE(row_ranges_leave_the_other_outputs) {
  std::mt19937 rng(4);
  Case c = random_case(11, 70, 16, rng);
  std::vector<float> want(11);
  lut_gemv_reference(c.w, c.x.data(), want.data(), 0, 11);
  for (LutIsa isa : isas())
    for (auto [b, e] : {std::pair<int, int>{0, 0}, {2, 7}, {3, 11}, {10, 11}}) {
      std::vector<float> got(11, -7.0f);
      lut_gemv_with(isa, c.w, c.x.data(), got.data(), b, e);
      for (int r = 0; r < 11; ++r)
        BOOST_TEST(same_bits(got[std::size_t(r)], r >= b && r < e ? want[std::size_t(r)] : -7.0f),
                   lut_isa_name(isa) << " rows [" << b << ", " << e << ") output " << r);
    }
}

BOOST_AUTO_TEST_CASE(dispatch_uses_the_best_isa) {
  std::mt19937 rng(5);
  Case c = random_case(6, 77, 9, rng);
  std::vector<float> a(6), b(6);
  lut_gemv(c.w, c.x.data(), a.data(), 0, 6);
  lut_gemv_with(lut_best_isa(), c.w, c.x.data(), b.data(), 0, 6);
  BOOST_TEST(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
  BOOST_TEST(lut_supported(lut_best_isa()));
}

BOOST_AUTO_TEST_CASE(refusals) {
  const std::uint8_t idx[4] = {0, 1, 2, 3};
  BOOST_CHECK_THROW(LutMatrix::from_indices(idx, 1, 4, {}), std::invalid_argument);
  BOOST_CHECK_THROW(LutMatrix::from_indices(idx, 1, 4, std::vector<float>(17, 1.0f)), std::invalid_argument);
  BOOST_CHECK_THROW(LutMatrix::from_indices(idx, 1, 4, {0, 1, std::numeric_limits<float>::infinity(), 3}),
                    std::invalid_argument);
  try {
    LutMatrix::from_indices(idx, 1, 4, {0.5f, 1.5f, 2.5f});
    BOOST_FAIL("an index outside the codebook was accepted");
  } catch (const std::invalid_argument &e) {
    BOOST_TEST(std::string(e.what()).find("index 3 at (0, 3) is outside a codebook of 3 entries") != std::string::npos,
               e.what());
  }
  LutMatrix w = LutMatrix::from_indices(idx, 2, 2, {0, 1, 2, 3});
  float x[2] = {1, 1}, y[2];
  BOOST_CHECK_THROW(lut_gemv(w, x, y, 0, 3), std::invalid_argument);
  BOOST_CHECK_THROW(lut_gemv(w, x, y, 2, 1), std::invalid_argument);
}
