//===- test_qgemm.cpp - packed integer GEMM against the plain sum -----------===//
//
// Every implementation this CPU runs (portable, AVX2, AVX-512 VNNI) against
// C[m, n] = sum_k A[m, k] * level[n, k] computed plainly, bit-exactly: all
// bit-widths 1..8 on the signed grid and 1..7 on the symmetric and unsigned
// ones, awkward
// m, n, k (partial panels and blocks), row strides, panel sub-ranges (the
// other columns untouched), extreme activations and levels, the conversion
// from cpq.pack's rows, and the refusals.
//
//===----------------------------------------------------------------------===//
#define BOOST_TEST_MODULE qgemm
#include <boost/test/unit_test.hpp>

#include "cpq/kernels/packed_reference.h"
#include "cpq/kernels/qgemm.h"

#include <random>
#include <string>
#include <tuple>
#include <vector>

using namespace cpq;

namespace {

constexpr std::int32_t kUntouched = 0x5A5A5A5A;

std::vector<QgemmIsa> isas() {
  std::vector<QgemmIsa> out;
  for (QgemmIsa isa : {QgemmIsa::Portable, QgemmIsa::Avx2, QgemmIsa::Avx512Vnni})
    if (qgemm_supported(isa)) out.push_back(isa);
  return out;
}

std::vector<std::int32_t> random_levels(GridSpec g, std::int64_t count, std::mt19937 &rng) {
  std::uniform_int_distribution<int> code(0, (1 << g.bits) - 1);
  std::vector<std::int32_t> l(static_cast<std::size_t>(count));
  for (auto &v : l) v = g.level_of_code(code(rng));
  return l;
}

std::vector<std::int32_t> plain(const std::vector<std::uint8_t> &a, std::int64_t lda,
                                const std::vector<std::int32_t> &levels, std::int64_t m, std::int64_t n,
                                std::int64_t k) {
  std::vector<std::int32_t> c(static_cast<std::size_t>(m * n));
  for (std::int64_t r = 0; r < m; ++r)
    for (std::int64_t o = 0; o < n; ++o) {
      std::int64_t s = 0;
      for (std::int64_t i = 0; i < k; ++i) s += std::int64_t(a[std::size_t(r * lda + i)]) * levels[std::size_t(o * k + i)];
      c[std::size_t(r * n + o)] = std::int32_t(s);
    }
  return c;
}

/// Runs every implementation on one case and compares; `p0`/`p1` a panel
/// sub-range (-1: all); `extreme` -1 / +1: every activation 255 and every
/// level q_min / q_max.
void check_case(GridSpec g, std::int64_t m, std::int64_t n, std::int64_t k, std::int64_t lda_extra,
                std::int64_t ldc_extra, unsigned seed, int extreme = 0, std::int64_t p0 = 0,
                std::int64_t p1 = -1) {
  std::mt19937 rng(seed);
  std::vector<std::int32_t> levels = random_levels(g, n * k, rng);
  const std::int64_t lda = k + lda_extra, ldc = n + ldc_extra;
  std::vector<std::uint8_t> a(static_cast<std::size_t>(m * lda));
  for (auto &v : a) v = extreme ? 255 : std::uint8_t(rng());
  if (extreme)
    for (auto &l : levels) l = extreme < 0 ? g.q_min() : g.q_max();
  const PanelWeights w = to_panels(g, levels.data(), n, k);
  if (p1 < 0) p1 = w.panels;
  std::vector<std::int32_t> sums(static_cast<std::size_t>(m));
  row_sums_u8(a.data(), m, k, lda, sums.data());
  const std::vector<std::int32_t> want = plain(a, lda, levels, m, n, k);
  for (QgemmIsa isa : isas()) {
    std::vector<std::int32_t> c(std::size_t(m * ldc), kUntouched);
    qgemm_u8_with(isa, w, a.data(), m, lda, sums.data(), c.data(), ldc, p0, p1);
    std::int64_t wrong = 0;
    std::string first;
    for (std::int64_t r = 0; r < m; ++r)
      for (std::int64_t o = 0; o < ldc; ++o) {
        const bool computed = o < n && o >= 16 * p0 && o < 16 * p1;
        const std::int32_t got = c[std::size_t(r * ldc + o)];
        const std::int32_t expect = computed ? want[std::size_t(r * n + o)] : kUntouched;
        if (got != expect && wrong++ == 0)
          first = "C[" + std::to_string(r) + ", " + std::to_string(o) + "] = " + std::to_string(got) + ", expected " +
                  std::to_string(expect);
      }
    BOOST_TEST(wrong == 0, qgemm_isa_name(isa) << " " << g.name() << " m=" << m << " n=" << n << " k=" << k
                                               << " lda=" << lda << " ldc=" << ldc << ": " << wrong
                                               << " wrong, first " << first);
  }
}

} // namespace

BOOST_AUTO_TEST_CASE(implementations_this_cpu_runs) {
  BOOST_TEST_MESSAGE("best: " << qgemm_isa_name(qgemm_best_isa()));
  BOOST_TEST(isas().size() >= 1u);
}

BOOST_AUTO_TEST_CASE(every_bit_width_and_awkward_shapes) {
  const std::vector<std::tuple<int, int, int>> shapes = {
      {1, 1, 1},   {1, 16, 4},   {1, 17, 33},  {2, 15, 31},  {3, 33, 5},    {6, 32, 64},
      {7, 50, 100}, {13, 64, 257}, {1, 100, 1000}, {12, 31, 129}, {5, 2, 3}, {19, 48, 96}};
  unsigned seed = 1;
  for (int bits = 1; bits <= 8; ++bits)
    for (GridKind kind : {GridKind::Signed, GridKind::Symmetric, GridKind::Unsigned}) {
      if (kind != GridKind::Signed && bits == 8) continue;
      for (auto [m, n, k] : shapes) check_case(GridSpec{kind, bits}, m, n, k, 0, 0, seed++);
    }
}

BOOST_AUTO_TEST_CASE(row_strides_and_panel_ranges) {
  unsigned seed = 100;
  for (int bits : {1, 2, 3, 4, 8}) {
    const GridSpec g{GridKind::Signed, bits};
    check_case(g, 5, 40, 70, 9, 3, seed++);
    check_case(g, 1, 70, 70, 1, 5, seed++);
    check_case(g, 8, 80, 45, 0, 0, seed++, 0, 1, 4); // panels 1..3 of 5; the rest untouched
    check_case(g, 1, 80, 45, 0, 0, seed++, 0, 2, 5);
    check_case(g, 3, 80, 45, 0, 0, seed++, 0, 2, 2); // empty range
  }
}

BOOST_AUTO_TEST_CASE(extreme_values_stay_exact) {
  // Every activation 255 and every level q_min or q_max: the largest sums
  // there are, and every code bit set (q_max), the top bit of the
  // matrix-vector products' split accumulators included (m = 1, 2).
  unsigned seed = 200;
  for (int bits = 1; bits <= 8; ++bits)
    for (int extreme : {-1, 1}) {
      check_case(GridSpec{GridKind::Signed, bits}, 3, 20, 4099, 0, 0, seed++, extreme);
      check_case(GridSpec{GridKind::Signed, bits}, 2, 40, 4099, 0, 0, seed++, extreme);
      if (bits < 8) check_case(GridSpec{GridKind::Symmetric, bits}, 1, 20, 4099, 0, 0, seed++, extreme);
      if (bits < 8) check_case(GridSpec{GridKind::Unsigned, bits}, 1, 33, 4099, 0, 0, seed++, extreme);
    }
}

BOOST_AUTO_TEST_CASE(panels_from_packed_rows_equal_panels_from_levels) {
  std::mt19937 rng(7);
  for (int bits = 1; bits <= 8; ++bits) {
    const GridSpec g{GridKind::Signed, bits};
    const std::int64_t n = 21, k = 37;
    const std::vector<std::int32_t> levels = random_levels(g, n * k, rng);
    const std::vector<std::uint8_t> rows = reference::pack_weight_levels(g, levels.data(), n, k);
    const PanelWeights a = to_panels(g, levels.data(), n, k), b = panels_from_packed_rows(g, rows.data(), n, k);
    BOOST_TEST(a.bytes == b.bytes, "bits " << bits);
    BOOST_TEST(a.cbits == panel_bits(bits));
    BOOST_TEST(a.bytes.size() == std::size_t(a.panels * a.blocks * 64));
  }
}

BOOST_AUTO_TEST_CASE(refusals) {
  const std::vector<std::int32_t> off = {0, 1, 2}; // 2 is not on the signed 2-bit grid (-2..1)
  BOOST_CHECK_THROW(to_panels(GridSpec{GridKind::Signed, 2}, off.data(), 1, 3), std::invalid_argument);
  const std::vector<std::int32_t> even = {1, 2, 3}; // symmetric levels are odd
  BOOST_CHECK_THROW(to_panels(GridSpec{GridKind::Symmetric, 2}, even.data(), 1, 3), std::invalid_argument);
  const std::vector<std::int32_t> one = {1};
  BOOST_CHECK_THROW(to_panels(GridSpec{GridKind::Symmetric, 8}, one.data(), 1, 1), std::invalid_argument);
  BOOST_CHECK_THROW(to_panels(GridSpec{GridKind::Signed, 2}, one.data(), 0, 1), std::invalid_argument);
  BOOST_CHECK_THROW(panel_bits(9), std::invalid_argument);
  const std::vector<std::int32_t> levels(4 * 8, 0);
  const PanelWeights w = to_panels(GridSpec{GridKind::Signed, 4}, levels.data(), 4, 8);
  std::vector<std::uint8_t> a(16);
  std::vector<std::int32_t> sums(2), c(8);
  BOOST_CHECK_THROW(qgemm_u8(w, a.data(), 2, 7, sums.data(), c.data(), 4, 0, 1), std::invalid_argument); // lda < k
  BOOST_CHECK_THROW(qgemm_u8(w, a.data(), 2, 8, sums.data(), c.data(), 3, 0, 1), std::invalid_argument); // ldc < n
  BOOST_CHECK_THROW(qgemm_u8(w, a.data(), 2, 8, sums.data(), c.data(), 4, 0, 2), std::invalid_argument); // panels
}
