//===- test_packed_reference.cpp - the packed inference ops' reference ----===//
//
// The scalar reference of cpq.qdense, cpq.qconv2d and cpq.requantize
// (packed_reference.h) against independent forms: the float layers of
// layers_reference.h on dequantized values (power-of-two alphas, so both
// sides are exact), and requantization against the real-number definition
// (long double) and against its FMA-contracted form, over every grid kind,
// bit-widths 1..8 and awkward shapes.
//
//===----------------------------------------------------------------------===//
#define BOOST_TEST_MODULE packed_reference
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "cpq/kernels/layers_reference.h"
#include "cpq/kernels/packed_reference.h"
#include "test_support.h"

#include <cmath>
#include <random>
#include <vector>

namespace bdata = boost::unit_test::data;
using namespace cpq;
using namespace cpq::reference;

namespace {

const GridKind kKinds[] = {GridKind::Signed, GridKind::Unsigned, GridKind::Symmetric};

/// Random levels on a grid (every level reachable, the ends included).
std::vector<std::int32_t> random_levels(GridSpec g, std::size_t n, std::mt19937 &rng) {
  std::uniform_int_distribution<int> code(0, g.num_points() - 1);
  std::vector<std::int32_t> q(n);
  for (auto &v : q) v = g.level_of_code(code(rng));
  return q;
}

/// Activation levels as the op takes them: uint8 on unsigned grids.
std::vector<std::uint8_t> activation_levels(int bits, std::size_t n, std::mt19937 &rng) {
  std::uniform_int_distribution<int> level(0, (1 << bits) - 1);
  std::vector<std::uint8_t> x(n);
  for (auto &v : x) v = static_cast<std::uint8_t>(level(rng));
  return x;
}

/// Dequantized weights alpha_o * t(q) as a float tensor of `shape`.
Tensor weights_of(GridSpec g, const std::vector<std::int32_t> &q, const std::vector<float> &alpha,
                  std::vector<std::int64_t> shape) {
  Tensor w(std::move(shape));
  const std::size_t per_row = q.size() / alpha.size();
  for (std::size_t i = 0; i < q.size(); ++i) w.data[i] = alpha[i / per_row] * g.t_of_level(q[i]);
  return w;
}

} // namespace

BOOST_DATA_TEST_CASE(weight_levels_pack_and_unpack_exactly, bdata::make(kKinds) * bdata::xrange(1, 9), kind, bits) {
  const GridSpec g{kind, bits};
  std::mt19937 rng(17u * unsigned(bits) + unsigned(kind));
  for (std::int64_t k : {1, 3, 7, 8, 9, 31, 100}) {
    const std::int64_t rows = 5;
    const auto q = random_levels(g, std::size_t(rows * k), rng);
    const auto packed = pack_weight_levels(g, q.data(), rows, k);
    BOOST_TEST(std::int64_t(packed.size()) == rows * packed_row_bytes(k, bits));
    std::vector<std::int32_t> back(q.size());
    for (std::int64_t r = 0; r < rows; ++r)
      unpack_weight_levels(g, packed.data() + r * packed_row_bytes(k, bits), k, back.data() + r * k);
    BOOST_TEST(back == q, "k = " << k);
    // Padding bits of every row are zero (cpq.pack's layout).
    if ((k * bits) % 8) {
      for (std::int64_t r = 0; r < rows; ++r) {
        const std::uint8_t last = packed[std::size_t((r + 1) * packed_row_bytes(k, bits) - 1)];
        BOOST_TEST((last >> ((k * bits) % 8)) == 0, "row " << r << " k = " << k);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(levels_off_the_grid_are_refused) {
  const std::int32_t odd_on_signed[] = {0, 1, 2}; // 2 is above the signed 2-bit grid's q_max = 1
  BOOST_CHECK_THROW(pack_weight_levels({GridKind::Signed, 2}, odd_on_signed, 1, 3), std::invalid_argument);
  const std::int32_t even_on_symmetric[] = {1, -1, 0}; // symmetric levels are odd
  BOOST_CHECK_THROW(pack_weight_levels({GridKind::Symmetric, 1}, even_on_symmetric, 1, 3), std::invalid_argument);
}

BOOST_DATA_TEST_CASE(qdense_equals_the_float_layer_on_dequantized_values,
                     bdata::make(kKinds) * bdata::xrange(1, 9) * bdata::make({1, 2, 4, 8}), kind, wbits, xbits) {
  const GridSpec wg{kind, wbits};
  std::mt19937 rng(1000u + 31u * unsigned(wbits) + 7u * unsigned(xbits) + unsigned(kind));
  const float ax = 0.25f;
  for (auto [n, k, o] : {std::array<std::int64_t, 3>{1, 1, 1}, {2, 7, 3}, {5, 33, 17}, {3, 100, 10}}) {
    const auto x = activation_levels(xbits, std::size_t(n * k), rng);
    const auto q = random_levels(wg, std::size_t(o * k), rng);
    std::vector<float> alpha(static_cast<std::size_t>(o));
    for (std::size_t r = 0; r < alpha.size(); ++r) alpha[r] = std::ldexp(1.0f, -int(r % 5)); // powers of two: exact
    const auto packed = pack_weight_levels(wg, q.data(), o, k);
    const auto acc = qdense(wg, x.data(), packed.data(), n, k, o);

    Tensor xf({n, k});
    for (std::size_t i = 0; i < x.size(); ++i) xf.data[i] = ax * float(x[i]);
    const Tensor y = dense(xf, weights_of(wg, q, alpha, {o, k}), nullptr);
    for (std::int64_t b = 0; b < n; ++b)
      for (std::int64_t r = 0; r < o; ++r) {
        const double scaled = double(acc[std::size_t(b * o + r)]) * ax * alpha[std::size_t(r)] * wg.t_per_q();
        BOOST_TEST(scaled == double(y.at2(b, r)), "n " << b << " o " << r << " (n, k, o) = (" << n << ", " << k
                                                       << ", " << o << ")");
      }
  }
}

BOOST_AUTO_TEST_CASE(qdense_takes_signed_activation_levels) {
  const GridSpec wg{GridKind::Signed, 3};
  const std::int8_t x[] = {-4, 3, -1, 2, 0};
  const std::int32_t q[] = {-4, 3, 1, -2, 0, 2, 2, 2, 2, 2};
  const auto packed = pack_weight_levels(wg, q, 2, 5);
  const auto acc = qdense(wg, x, packed.data(), 1, 5, 2);
  BOOST_TEST(acc[0] == 16 + 9 - 1 - 4 + 0);
  BOOST_TEST(acc[1] == -8 + 6 - 2 + 4 + 0);
}

BOOST_DATA_TEST_CASE(qconv2d_equals_the_float_convolution_on_dequantized_values,
                     bdata::make(kKinds) * bdata::make({1, 2, 3, 4, 8}), kind, wbits) {
  const GridSpec wg{kind, wbits};
  std::mt19937 rng(5000u + 13u * unsigned(wbits) + unsigned(kind));
  const float ax = 0.5f;
  std::vector<QConvShape> shapes = {
      {1, 1, 1, 1, 1, 1, 1},                                  // one pixel
      {2, 3, 7, 5, 4, 3, 3, 1, 1, 1, 1, 1},                   // padding
      {1, 4, 9, 11, 6, 3, 2, 2, 3, 0, 1, 2},                  // strides, groups, uneven kernel
      {3, 1, 28, 28, 5, 5, 5, 1, 1, 2, 2, 1},                 // LeNet-5's first layer, small
      {1, 6, 6, 6, 6, 1, 1, 1, 1, 0, 0, 6},                   // depthwise 1x1
  };
  for (const QConvShape &s : shapes) {
    const auto x = activation_levels(4, std::size_t(s.n * s.c * s.h * s.w), rng);
    const std::int64_t K = s.row_length();
    const auto q = random_levels(wg, std::size_t(s.o * K), rng);
    std::vector<float> alpha(static_cast<std::size_t>(s.o));
    for (std::size_t r = 0; r < alpha.size(); ++r) alpha[r] = std::ldexp(1.0f, int(r % 3) - 2);
    const auto packed = pack_weight_levels(wg, q.data(), s.o, K);
    const auto acc = qconv2d(wg, x.data(), packed.data(), s);

    Tensor xf({s.n, s.c, s.h, s.w});
    for (std::size_t i = 0; i < x.size(); ++i) xf.data[i] = ax * float(x[i]);
    Window win{s.kh, s.kw, s.sh, s.sw, s.ph, s.pw};
    const Tensor y = conv2d(xf, weights_of(wg, q, alpha, {s.o, s.c / s.groups, s.kh, s.kw}), nullptr, win, s.groups);
    BOOST_REQUIRE(y.dim(2) == s.out_h() && y.dim(3) == s.out_w());
    std::size_t mismatches = 0;
    for (std::int64_t b = 0; b < s.n; ++b)
      for (std::int64_t f = 0; f < s.o; ++f)
        for (std::int64_t i = 0; i < s.out_h(); ++i)
          for (std::int64_t j = 0; j < s.out_w(); ++j) {
            const double scaled = double(acc[std::size_t(((b * s.o + f) * s.out_h() + i) * s.out_w() + j)]) * ax *
                                  alpha[std::size_t(f)] * wg.t_per_q();
            mismatches += scaled != double(y.at4(b, f, i, j));
          }
    BOOST_TEST(mismatches == 0u, "shape " << s.n << "x" << s.c << "x" << s.h << "x" << s.w << " filters " << s.o
                                          << " kernel " << s.kh << "x" << s.kw << " groups " << s.groups);
  }
}

BOOST_AUTO_TEST_CASE(qconv2d_refuses_bad_geometry) {
  const std::uint8_t x[4] = {};
  const std::uint8_t packed[8] = {};
  BOOST_CHECK_THROW(qconv2d(GridSpec{GridKind::Signed, 2}, x, packed, QConvShape{1, 3, 2, 2, 2, 1, 1, 1, 1, 0, 0, 2}),
                    std::invalid_argument);
  BOOST_CHECK_THROW(qconv2d(GridSpec{GridKind::Signed, 2}, x, packed, QConvShape{1, 1, 2, 2, 1, 3, 3}),
                    std::invalid_argument);
}

BOOST_DATA_TEST_CASE(requantize_is_the_real_number_encoding_away_from_ties,
                     bdata::make(kKinds) * bdata::xrange(1, 9) * bdata::make({false, true}), kind, bits, relu) {
  const GridSpec g{kind, bits};
  std::mt19937 rng(9000u + 3u * unsigned(bits) + unsigned(kind) + (relu ? 100u : 0u));
  std::uniform_real_distribution<float> scale_d(1e-7f, 1e-5f), bias_d(-2.0f, 2.0f), alpha_d(0.01f, 1.0f);
  std::uniform_int_distribution<std::int32_t> acc_d(-(1 << 20), 1 << 20);
  std::size_t compared = 0, skipped = 0;
  for (int trial = 0; trial < 20000; ++trial) {
    const float scale = (trial % 7 == 0 ? -1.0f : 1.0f) * scale_d(rng), bias = bias_d(rng), alpha = alpha_d(rng);
    const std::int32_t acc = acc_d(rng);
    const auto r = RequantizeToLevels::make(scale, bias, alpha, g, relu);
    // The definition on real numbers: y = acc * scale + bias, max(y, 0) with
    // ReLU, then section 2's encoding of y / alpha.
    long double y = (long double)acc * scale + bias;
    const bool cut = relu && y <= 0; // max(y, 0) = 0 exactly: no tie to fear
    if (relu) y = std::max(y, 0.0L);
    const long double v = y / alpha;
    const long double t = g.kind == GridKind::Symmetric ? std::floor(v) : std::floor(v + 0.5L);
    const long double frac = g.kind == GridKind::Symmetric ? v - std::floor(v) : v + 0.5L - std::floor(v + 0.5L);
    // m is scale/alpha rounded to float: a relative 2^-24 of |acc * m|.
    const long double margin = std::fabs((long double)acc * scale / alpha) * 1.2e-7L + 1e-9L;
    if (!cut && (frac < margin || 1.0L - frac < margin)) {
      ++skipped;
      continue;
    }
    long double level = g.kind == GridKind::Symmetric ? 2 * t + 1 : t;
    level = std::min<long double>(std::max<long double>(level, g.q_min()), g.q_max());
    if (relu && g.kind == GridKind::Symmetric) level = std::max(level, 1.0L);
    if (relu && g.kind != GridKind::Symmetric) level = std::max(level, 0.0L);
    ++compared;
    BOOST_TEST_REQUIRE(r(acc) == std::int32_t(level),
                       "acc " << acc << " scale " << scale << " bias " << bias << " alpha " << alpha);
  }
  BOOST_TEST(compared > 19000u, compared << " compared, " << skipped << " within the margin of a tie");
}

BOOST_DATA_TEST_CASE(requantize_gives_the_same_level_with_and_without_fma, bdata::make(kKinds) * bdata::xrange(1, 9),
                     kind, bits) {
  const GridSpec g{kind, bits};
  std::mt19937 rng(12000u + 3u * unsigned(bits) + unsigned(kind));
  std::uniform_real_distribution<float> scale_d(-1e-3f, 1e-3f), bias_d(-4.0f, 4.0f), alpha_d(1e-3f, 1.0f);
  std::uniform_int_distribution<std::int32_t> acc_d(-(kExactAccumulator - 1), kExactAccumulator - 1);
  std::size_t differ = 0;
  for (int trial = 0; trial < 50000; ++trial) {
    const auto r = RequantizeToLevels::make(scale_d(rng), bias_d(rng), alpha_d(rng), g, trial % 2 == 0);
    const std::int32_t acc = acc_d(rng);
    const double fused = std::floor(std::fma(double(acc), r.m, r.c));
    const double level = g.kind == GridKind::Symmetric ? 2 * fused + 1 : fused;
    const auto clamped = std::int32_t(std::fmin(std::fmax(level, double(r.lo)), double(r.hi)));
    differ += clamped != r(acc);
    // acc * m is exact: the product has no rounding error to fuse away.
    BOOST_TEST_REQUIRE(std::fma(double(acc), r.m, -double(acc) * r.m) == 0.0);
  }
  BOOST_TEST(differ == 0u);
  const auto f = RequantizeToFloat::make(3.3e-4f, -0.7f, false);
  for (int trial = 0; trial < 50000; ++trial) {
    const std::int32_t acc = acc_d(rng);
    BOOST_TEST_REQUIRE(f(acc) == static_cast<float>(std::fma(double(acc), f.scale, f.bias)));
  }
}

BOOST_AUTO_TEST_CASE(requantize_saturates_relu_and_refuses_bad_scales) {
  const GridSpec u2{GridKind::Unsigned, 2}, s3{GridKind::Signed, 3}, y2{GridKind::Symmetric, 2};
  // Huge or tiny products saturate at the grid's ends without overflow.
  const auto big = RequantizeToLevels::make(1e20f, 0.0f, 1e-10f, s3, false);
  BOOST_TEST(big(kExactAccumulator - 1) == 3);
  BOOST_TEST(big(-(kExactAccumulator - 1)) == -4);
  BOOST_TEST(big(0) == 0);
  // ReLU raises the lower end to the level of 0.
  BOOST_TEST(RequantizeToLevels::make(1.0f, -10.0f, 1.0f, s3, true)(0) == 0);
  BOOST_TEST(RequantizeToLevels::make(1.0f, -10.0f, 1.0f, s3, false)(0) == -4);
  BOOST_TEST(RequantizeToLevels::make(1.0f, -10.0f, 1.0f, y2, true)(0) == 1);
  BOOST_TEST(RequantizeToLevels::make(1.0f, -10.0f, 1.0f, y2, false)(0) == -3);
  // Ties go up (section 2): 1.5 cells -> level 2; symmetric: t = 1 -> 3.
  BOOST_TEST(RequantizeToLevels::make(0.5f, 0.0f, 1.0f, u2, false)(3) == 2);
  BOOST_TEST(RequantizeToLevels::make(0.5f, 0.0f, 1.0f, y2, false)(2) == 3);
  BOOST_TEST(RequantizeToFloat::make(2.0f, -1.0f, true)(0) == 0.0f);
  BOOST_TEST(RequantizeToFloat::make(2.0f, -1.0f, false)(0) == -1.0f);
  BOOST_CHECK_THROW(RequantizeToLevels::make(1.0f, 0.0f, 0.0f, u2, true), std::invalid_argument);
  BOOST_CHECK_THROW(RequantizeToLevels::make(1.0f, 0.0f, -1.0f, u2, true), std::invalid_argument);
  BOOST_CHECK_THROW(RequantizeToLevels::make(NAN, 0.0f, 1.0f, u2, true), std::invalid_argument);
  BOOST_CHECK_THROW(RequantizeToLevels::make(1e30f, 0.0f, 1e-30f, u2, true), std::invalid_argument); // m overflows
  BOOST_CHECK_THROW(RequantizeToFloat::make(1.0f, INFINITY, false), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(accumulator_bound_of_real_layers) {
  const GridSpec a8{GridKind::Unsigned, 8}, w8{GridKind::Signed, 8}, a2{GridKind::Unsigned, 2}, w2{GridKind::Signed, 2};
  BOOST_TEST(max_abs_level(w8) == 128);
  BOOST_TEST(max_abs_level(GridSpec{GridKind::Symmetric, 8}) == 255);
  // LeNet-5's widest layer (fc1, 1024 inputs) and a 4096-wide GEMM at 8 bits.
  BOOST_TEST(accumulator_is_exact(1024, a8, w8));
  BOOST_TEST(accumulator_is_exact(4096, a8, w8));
  BOOST_TEST(accumulator_is_exact(4096, a2, w2));
  // 255 * 128 * 16448 = 536,862,720 < 2^29; one more input crosses it.
  BOOST_TEST(accumulator_is_exact(16448, a8, w8));
  BOOST_TEST(!accumulator_is_exact(16449, a8, w8));
}
