//===- test_codegen_packed.cpp - packed inference ops against the reference ===//
//
// cpq.encode, cpq.decode, cpq.pack, cpq.qdense, cpq.qconv2d and
// cpq.requantize lowered to Halide, JIT-compiled with the hand schedule and
// compared bit for bit with the scalar reference (packed_reference.h,
// quantizer_reference.h): every grid kind, bit-widths 1..8, awkward sizes,
// batch 1, stride, padding, groups, ties of the rounding, ReLU, saturation;
// weights packed at run time and packed once at compile time (the latter
// through the extern qgemm on the panel layout).
//
//===----------------------------------------------------------------------===//
#define BOOST_TEST_MODULE codegen_packed
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "codegen_harness.h"

#include "cpq/kernels/packed_reference.h"
#include "cpq/kernels/quantizer_reference.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <sstream>

namespace cpq {
inline std::ostream &operator<<(std::ostream &os, GridKind k) { return os << to_string(k); }
} // namespace cpq

using namespace cpq;
using namespace cpq::testing;
namespace bdata = boost::unit_test::data;

namespace {

const GridKind kKinds[] = {GridKind::Signed, GridKind::Unsigned, GridKind::Symmetric};

std::string level_type(GridSpec g) { return g.kind == GridKind::Unsigned ? "ui8" : "si8"; }
std::string grid_attrs(GridSpec g) {
  return std::string("grid = \"") + to_string(g.kind) + "\", bits = " + std::to_string(g.bits);
}

/// A compiled function whose inputs and outputs are buffers of any type.
struct Run {
  Compiled compiled;
  std::vector<Halide::Buffer<>> keep;
  Run(const std::string &mlir, const std::string &name) : compiled(mlir, name) {}
  void set(int input, Halide::Buffer<> b) {
    keep.push_back(b);
    compiled.lowered.inputs.at(std::size_t(input)).buffer->set(b);
  }
  Halide::Realization run(int batch) {
    Halide::Realization r = codegen::make_outputs(compiled.lowered, batch);
    compiled.pipeline.realize(r);
    return r;
  }
};

/// A buffer of MLIR-order `shape` holding `data` row-major.
template <class T> Halide::Buffer<> buffer(const std::vector<int64_t> &shape, const std::vector<T> &data) {
  std::vector<int> extents(shape.rbegin(), shape.rend());
  Halide::Buffer<T> b(extents);
  std::copy(data.begin(), data.end(), b.data());
  return b;
}
template <class T> std::vector<T> values(const Halide::Buffer<> &any) {
  Halide::Buffer<T> b = any;
  return std::vector<T>(b.data(), b.data() + b.number_of_elements());
}

/// Random activation levels (0..2^bits-1).
std::vector<std::uint8_t> random_levels_u8(int bits, std::size_t n, std::mt19937 &rng) {
  std::uniform_int_distribution<int> d(0, (1 << bits) - 1);
  std::vector<std::uint8_t> v(n);
  for (auto &x : v) x = std::uint8_t(d(rng));
  return v;
}

/// Random weight levels of a grid, packed by the reference.
std::vector<std::uint8_t> random_packed(GridSpec g, int64_t rows, int64_t k, std::mt19937 &rng,
                                        std::vector<std::int32_t> *levels = nullptr) {
  std::uniform_int_distribution<int> code(0, g.num_points() - 1);
  std::vector<std::int32_t> q(std::size_t(rows * k));
  for (auto &v : q) v = g.level_of_code(code(rng));
  if (levels) *levels = q;
  return reference::pack_weight_levels(g, q.data(), rows, k);
}

} // namespace

BOOST_DATA_TEST_CASE(qdense_is_bit_exact, bdata::make(kKinds) * bdata::xrange(1, 9), kind, bits) {
  const GridSpec g{kind, bits};
  std::mt19937 rng(100u * unsigned(bits) + unsigned(kind));
  // Several layers in one function (one compilation): K and O awkward, one
  // batch for all (the batch is shared).
  const std::array<std::array<int64_t, 2>, 4> ko = {{{1, 1}, {7, 5}, {33, 17}, {100, 40}}};
  const int batch = 1 + bits % 3 * 2; // 1, 3 or 5
  std::ostringstream mlir;
  mlir << "func @f(";
  for (std::size_t l = 0; l < ko.size(); ++l) {
    const int64_t rb = reference::packed_row_bytes(ko[l][0], bits);
    mlir << (l ? ", " : "") << "%x" << l << ": tensor<?x" << ko[l][0] << "xui8>, %p" << l << ": tensor<" << ko[l][1]
         << "x" << rb << "xui8>";
  }
  mlir << ") -> (";
  for (std::size_t l = 0; l < ko.size(); ++l) mlir << (l ? ", " : "") << "tensor<?x" << ko[l][1] << "xi32>";
  mlir << ") {\n";
  for (std::size_t l = 0; l < ko.size(); ++l) {
    const int64_t rb = reference::packed_row_bytes(ko[l][0], bits);
    mlir << "  %y" << l << " = cpq.qdense %x" << l << ", %p" << l << " {" << grid_attrs(g) << "} : (tensor<?x"
         << ko[l][0] << "xui8>, tensor<" << ko[l][1] << "x" << rb << "xui8>) -> tensor<?x" << ko[l][1] << "xi32>\n";
  }
  mlir << "  return ";
  for (std::size_t l = 0; l < ko.size(); ++l) mlir << (l ? ", " : "") << "%y" << l;
  mlir << " : ";
  for (std::size_t l = 0; l < ko.size(); ++l) mlir << (l ? ", " : "") << "tensor<?x" << ko[l][1] << "xi32>";
  mlir << "\n}\n";
  Run f(mlir.str(), "f");
  std::vector<std::vector<std::uint8_t>> xs, ps;
  for (std::size_t l = 0; l < ko.size(); ++l) {
    const auto [k, o] = ko[l];
    xs.push_back(random_levels_u8(8, std::size_t(batch * k), rng)); // the widest activations
    ps.push_back(random_packed(g, o, k, rng));
    f.set(int(2 * l), buffer<std::uint8_t>({batch, k}, xs.back()));
    f.set(int(2 * l + 1), buffer<std::uint8_t>({o, reference::packed_row_bytes(k, bits)}, ps.back()));
  }
  Halide::Realization r = f.run(batch);
  for (std::size_t l = 0; l < ko.size(); ++l) {
    const auto [k, o] = ko[l];
    const auto want = reference::qdense(g, xs[l].data(), ps[l].data(), batch, k, o);
    BOOST_TEST(values<std::int32_t>(r[l]) == want, "K " << k << " O " << o << " batch " << batch);
  }
}

namespace {
const ConvCase qconv_cases[] = {
    {1, 1, 7, 9, 3, 3, 1, 0, 1},    {3, 2, 8, 8, 4, 3, 1, 1, 1},     {2, 3, 11, 6, 5, 5, 2, 2, 1},
    {2, 4, 9, 9, 6, 3, 2, 1, 2},    {1, 6, 5, 7, 6, 1, 1, 0, 6},     {2, 1, 28, 28, 32, 5, 1, 0, 1},
    {2, 9, 7, 10, 17, 3, 1, 1, 1},  {3, 8, 9, 9, 8, 3, 2, 1, 1},     {1, 32, 12, 12, 64, 5, 1, 0, 1},
    {5, 12, 6, 6, 33, 1, 1, 0, 1},  {2, 3, 33, 33, 5, 3, 2, 0, 1},
};
} // namespace

BOOST_DATA_TEST_CASE(qconv2d_is_bit_exact, bdata::make(qconv_cases) * bdata::make(kKinds) * bdata::make({1, 2, 3, 8}),
                     c, kind, bits) {
  const GridSpec g{kind, bits};
  std::mt19937 rng(unsigned(c.channels * 1000 + c.out * 10 + bits));
  reference::QConvShape s{c.batch, c.channels, c.height, c.width, c.out, c.k, c.k,
                          c.stride, c.stride, c.pad, c.pad, c.groups};
  const int64_t K = s.row_length(), rb = reference::packed_row_bytes(K, bits);
  std::ostringstream X, P, Y;
  X << "tensor<?x" << c.channels << "x" << c.height << "x" << c.width << "xui8>";
  P << "tensor<" << c.out << "x" << rb << "xui8>";
  Y << "tensor<?x" << c.out << "x" << s.out_h() << "x" << s.out_w() << "xi32>";
  std::ostringstream mlir;
  mlir << "func @f(%x: " << X.str() << ", %p: " << P.str() << ") -> " << Y.str() << " {\n  %y = cpq.qconv2d %x, %p {"
       << grid_attrs(g) << ", kernel = [" << c.k << ", " << c.k << "], stride = [" << c.stride << ", " << c.stride
       << "], padding = [" << c.pad << ", " << c.pad << "], groups = " << c.groups << "} : (" << X.str() << ", "
       << P.str() << ") -> " << Y.str() << "\n  return %y : " << Y.str() << "\n}\n";
  Run f(mlir.str(), "f");
  const auto x = random_levels_u8(4, std::size_t(c.batch * c.channels * c.height * c.width), rng);
  const auto p = random_packed(g, c.out, K, rng);
  f.set(0, buffer<std::uint8_t>({c.batch, c.channels, c.height, c.width}, x));
  f.set(1, buffer<std::uint8_t>({c.out, rb}, p));
  Halide::Realization r = f.run(int(c.batch));
  BOOST_TEST((values<std::int32_t>(r[0]) == reference::qconv2d(g, x.data(), p.data(), s)));
}

namespace {

/// A bound weight of `shape` holding `levels`, as MLIR lines defining %p.
std::string bound_weight(GridSpec g, const std::vector<int64_t> &shape, const std::vector<std::int32_t> &levels,
                         const std::string &packed, const std::string &suffix = "") {
  std::ostringstream T;
  T << "tensor<";
  for (int64_t d : shape) T << d << "x";
  T << "f32>";
  // dense<"0x..."> of the float32 values' little-endian bytes, any shape.
  std::string hex = "0x";
  for (std::int32_t q : levels) {
    const float v = float(q);
    unsigned char b[4];
    std::memcpy(b, &v, 4);
    for (unsigned char byte : b) hex += "0123456789ABCDEF"[byte >> 4], hex += "0123456789ABCDEF"[byte & 15];
  }
  const std::string A = "tensor<1xf32>", alpha = g.kind == GridKind::Symmetric ? "2.0" : "1.0";
  std::ostringstream m;
  const std::string w = "w" + suffix, a = "a" + suffix;
  m << "  %" << w << " = cpq.param \"" << w << "\" {init = \"constant\", value = dense<\"" << hex << "\"> : " << T.str()
    << "} : " << T.str() << "\n";
  m << "  %" << a << " = cpq.param \"" << a << "\" {init = \"constant\", value = dense<" << alpha << "> : " << A
    << "} : " << A << "\n";
  m << "  %p" << suffix << " = cpq.pack %" << w << ", %" << a << " {" << grid_attrs(g) << "} : (" << T.str() << ", "
    << A << ") -> " << packed << "\n";
  return m.str();
}

} // namespace

// The same products with the weights compiled in: the lowering puts them in
// the panel layout and calls the extern qgemm (cpq/kernels/qgemm.h); rows
// beyond one parallel chunk (96) and outputs split in halves included.
// Activations are uint8 codes, or int8 levels (signed grids, no ReLU before
// the quantizer), which go to the product as x + 128 less 128 times each
// output's sum of levels.
namespace {

void check_compiled_in_qdense(GridSpec g, bool int8, int64_t batch, int64_t k, int64_t o, std::mt19937 &rng) {
  std::vector<std::int32_t> levels;
  const auto p = random_packed(g, o, k, rng, &levels);
  const int64_t rb = reference::packed_row_bytes(k, g.bits);
  const std::string X = "tensor<?x" + std::to_string(k) + (int8 ? "xsi8>" : "xui8>"),
                    Y = "tensor<?x" + std::to_string(o) + "xi32>",
                    P = "tensor<" + std::to_string(o) + "x" + std::to_string(rb) + "xui8>";
  const std::string mlir = "func @f(%x: " + X + ") -> " + Y + " {\n" + bound_weight(g, {o, k}, levels, P) +
                           "  %y = cpq.qdense %x, %p {" + grid_attrs(g) + "} : (" + X + ", " + P + ") -> " + Y +
                           "\n  return %y : " + Y + "\n}\n";
  Run f(mlir, "f");
  BOOST_TEST_REQUIRE(f.compiled.lowered.externs.size() == (g.bits == 8 && g.kind != GridKind::Signed ? 0u : 1u));
  const auto u = random_levels_u8(8, std::size_t(batch * k), rng);
  std::vector<std::int32_t> want;
  if (int8) {
    std::vector<std::int8_t> x(u.size());
    for (std::size_t i = 0; i < u.size(); ++i) x[i] = std::int8_t(u[i]); // -128..127
    f.set(0, buffer<std::int8_t>({batch, k}, x));
    want = reference::qdense(g, x.data(), p.data(), batch, k, o);
  } else {
    f.set(0, buffer<std::uint8_t>({batch, k}, u));
    want = reference::qdense(g, u.data(), p.data(), batch, k, o);
  }
  BOOST_TEST(values<std::int32_t>(f.run(int(batch))[0]) == want,
             (int8 ? "int8" : "uint8") << " batch " << batch << " K " << k << " O " << o);
}

} // namespace

BOOST_DATA_TEST_CASE(qdense_with_weights_compiled_in_is_bit_exact, bdata::make(kKinds) * bdata::xrange(1, 9), kind,
                     bits) {
  std::mt19937 rng(300u * unsigned(bits) + unsigned(kind));
  for (auto [batch, k, o] : {std::array<int64_t, 3>{1, 33, 17}, {5, 100, 64}, {200, 37, 96}, {3, 1, 1}})
    check_compiled_in_qdense(GridSpec{kind, bits}, false, batch, k, o, rng);
}

BOOST_DATA_TEST_CASE(qconv2d_with_weights_compiled_in_is_bit_exact,
                     bdata::make(qconv_cases) * bdata::make(kKinds) * bdata::make({1, 3, 8}), c, kind, bits) {
  if (c.groups != 1) return; // grouped convolutions keep the Halide contraction
  const GridSpec g{kind, bits};
  std::mt19937 rng(unsigned(c.channels * 1000 + c.out * 10 + bits + 7));
  reference::QConvShape s{c.batch, c.channels, c.height, c.width, c.out, c.k, c.k,
                          c.stride, c.stride, c.pad, c.pad, c.groups};
  const int64_t K = s.row_length(), rb = reference::packed_row_bytes(K, bits);
  std::vector<std::int32_t> levels;
  const auto p = random_packed(g, c.out, K, rng, &levels);
  std::ostringstream X, P, Y;
  X << "tensor<?x" << c.channels << "x" << c.height << "x" << c.width << "xui8>";
  P << "tensor<" << c.out << "x" << rb << "xui8>";
  Y << "tensor<?x" << c.out << "x" << s.out_h() << "x" << s.out_w() << "xi32>";
  std::ostringstream mlir;
  mlir << "func @f(%x: " << X.str() << ") -> " << Y.str() << " {\n"
       << bound_weight(g, {c.out, c.channels, c.k, c.k}, levels, P.str()) << "  %y = cpq.qconv2d %x, %p {"
       << grid_attrs(g) << ", kernel = [" << c.k << ", " << c.k << "], stride = [" << c.stride << ", " << c.stride
       << "], padding = [" << c.pad << ", " << c.pad << "]} : (" << X.str() << ", " << P.str() << ") -> " << Y.str()
       << "\n  return %y : " << Y.str() << "\n}\n";
  Run f(mlir.str(), "f");
  BOOST_TEST_REQUIRE(f.compiled.lowered.externs.size() == (bits == 8 && kind != GridKind::Signed ? 0u : 1u));
  const auto x = random_levels_u8(8, std::size_t(c.batch * c.channels * c.height * c.width), rng);
  f.set(0, buffer<std::uint8_t>({c.batch, c.channels, c.height, c.width}, x));
  Halide::Realization r = f.run(int(c.batch));
  BOOST_TEST((values<std::int32_t>(r[0]) == reference::qconv2d(g, x.data(), p.data(), s)));
}

// int8 activation levels on the same extern product, padding (level 0,
// code 128) included.
BOOST_DATA_TEST_CASE(int8_activations_on_qgemm_are_bit_exact, bdata::make(kKinds) * bdata::xrange(1, 9), kind, bits) {
  const GridSpec g{kind, bits};
  const bool extern_product = !(bits == 8 && kind != GridKind::Signed);
  std::mt19937 rng(700u * unsigned(bits) + unsigned(kind));
  std::uniform_int_distribution<int> level(-128, 127);
  for (auto [batch, k, o] : {std::array<int64_t, 3>{1, 33, 17}, {5, 100, 64}, {200, 37, 96}})
    check_compiled_in_qdense(g, true, batch, k, o, rng);
  // A padded, strided convolution of 7 channels (K = 63).
  reference::QConvShape s{3, 7, 9, 8, 20, 3, 3, 2, 2, 1, 1, 1};
  const int64_t K = s.row_length(), rb = reference::packed_row_bytes(K, bits);
  std::vector<std::int32_t> levels;
  const auto p = random_packed(g, s.o, K, rng, &levels);
  std::ostringstream X, P, Y, mlir;
  X << "tensor<?x7x9x8xsi8>";
  P << "tensor<20x" << rb << "xui8>";
  Y << "tensor<?x20x" << s.out_h() << "x" << s.out_w() << "xi32>";
  mlir << "func @f(%x: " << X.str() << ") -> " << Y.str() << " {\n"
       << bound_weight(g, {20, 7, 3, 3}, levels, P.str()) << "  %y = cpq.qconv2d %x, %p {" << grid_attrs(g)
       << ", kernel = [3, 3], stride = [2, 2], padding = [1, 1]} : (" << X.str() << ", " << P.str() << ") -> "
       << Y.str() << "\n  return %y : " << Y.str() << "\n}\n";
  Run f(mlir.str(), "f");
  BOOST_TEST_REQUIRE(f.compiled.lowered.externs.size() == (extern_product ? 1u : 0u));
  std::vector<std::int8_t> x(std::size_t(3 * 7 * 9 * 8));
  for (auto &v : x) v = std::int8_t(level(rng));
  f.set(0, buffer<std::int8_t>({3, 7, 9, 8}, x));
  BOOST_TEST((values<std::int32_t>(f.run(3)[0]) == reference::qconv2d(g, x.data(), p.data(), s)), "conv");
}

BOOST_DATA_TEST_CASE(requantize_to_levels_is_bit_exact,
                     bdata::make(kKinds) * bdata::make({1, 2, 3, 4, 8}) * bdata::make({false, true}), kind, bits, relu) {
  const GridSpec g{kind, bits};
  if (kind == GridKind::Symmetric && bits == 8) return; // 8-bit symmetric levels do not fit in si8
  std::mt19937 rng(7u * unsigned(bits) + unsigned(kind) + (relu ? 50u : 0u));
  const int64_t N = 3, C = 5, H = 4, W = 7;
  const float alpha = 0.37f;
  std::vector<float> scale(C), bias(C);
  std::uniform_real_distribution<float> sd(1e-4f, 2e-2f), bd(-1.0f, 1.0f);
  for (int64_t c = 0; c < C; ++c) scale[c] = (c == 3 ? -1.0f : 1.0f) * sd(rng), bias[c] = bd(rng);
  scale[0] = alpha * 0.5f, bias[0] = 0.0f; // half-integer cells: exact ties at odd sums
  std::uniform_int_distribution<std::int32_t> ad(-3000, 3000);
  std::vector<std::int32_t> acc(std::size_t(N * C * H * W));
  for (auto &a : acc) a = ad(rng);
  acc[1] = reference::kExactAccumulator - 1, acc[2] = -(reference::kExactAccumulator - 1); // saturation
  const std::string T = level_type(g);
  std::ostringstream A, Y;
  A << "tensor<?x" << C << "x" << H << "x" << W << "xi32>";
  Y << "tensor<?x" << C << "x" << H << "x" << W << "x" << T << ">";
  const std::string V = "tensor<" + std::to_string(C) + "xf32>";
  std::ostringstream mlir;
  mlir << "func @f(%a: " << A.str() << ", %s: " << V << ", %b: " << V << ", %n: tensor<1xf32>) -> " << Y.str()
       << " {\n  %y = cpq.requantize %a, %s, %b, %n {" << (relu ? "relu, " : "") << grid_attrs(g) << "} : ("
       << A.str() << ", " << V << ", " << V << ", tensor<1xf32>) -> " << Y.str() << "\n  return %y : " << Y.str()
       << "\n}\n";
  Run f(mlir.str(), "f");
  f.set(0, buffer<std::int32_t>({N, C, H, W}, acc));
  f.set(1, buffer<float>({C}, scale));
  f.set(2, buffer<float>({C}, bias));
  f.set(3, buffer<float>({1}, std::vector<float>{alpha}));
  Halide::Realization r = f.run(int(N));
  std::vector<std::int32_t> got;
  if (T == "ui8")
    for (auto v : values<std::uint8_t>(r[0])) got.push_back(v);
  else
    for (auto v : values<std::int8_t>(r[0])) got.push_back(v);
  std::size_t mismatches = 0;
  for (std::size_t i = 0; i < acc.size(); ++i) {
    const int64_t c = int64_t(i) / (H * W) % C;
    const auto want = reference::RequantizeToLevels::make(scale[c], bias[c], alpha, g, relu)(acc[i]);
    if (got[i] != want && mismatches++ < 5)
      BOOST_TEST_MESSAGE("element " << i << " acc " << acc[i] << ": " << got[i] << " vs " << want);
  }
  BOOST_TEST(mismatches == 0u);
}

BOOST_DATA_TEST_CASE(requantize_to_float_is_bit_exact, bdata::make({false, true}), relu) {
  std::mt19937 rng(relu ? 2 : 1);
  const int64_t N = 4, C = 10;
  std::vector<float> scale(C), bias(C);
  std::uniform_real_distribution<float> sd(-1e-3f, 1e-3f), bd(-1.0f, 1.0f);
  for (int64_t c = 0; c < C; ++c) scale[c] = sd(rng), bias[c] = bd(rng);
  std::uniform_int_distribution<std::int32_t> ad(-(1 << 28), 1 << 28);
  std::vector<std::int32_t> acc(std::size_t(N * C));
  for (auto &a : acc) a = ad(rng);
  const std::string A = "tensor<?x10xi32>", V = "tensor<10xf32>", Y = "tensor<?x10xf32>";
  const std::string mlir = "func @f(%a: " + A + ", %s: " + V + ", %b: " + V + ") -> " + Y +
                           " {\n  %y = cpq.requantize %a, %s, %b " + (relu ? "{relu} " : "") + ": (" + A + ", " + V +
                           ", " + V + ") -> " + Y + "\n  return %y : " + Y + "\n}\n";
  Run f(mlir, "f");
  f.set(0, buffer<std::int32_t>({N, C}, acc));
  f.set(1, buffer<float>({C}, scale));
  f.set(2, buffer<float>({C}, bias));
  const auto got = values<float>(f.run(int(N))[0]);
  std::size_t mismatches = 0;
  for (std::size_t i = 0; i < acc.size(); ++i) {
    const std::size_t c = i % std::size_t(C);
    mismatches += got[i] != reference::RequantizeToFloat::make(scale[c], bias[c], relu)(acc[i]);
  }
  BOOST_TEST(mismatches == 0u);
}

BOOST_DATA_TEST_CASE(encode_and_decode_are_bit_exact, bdata::make(kKinds) * bdata::make({1, 2, 4, 7, 8}), kind,
                     bits) {
  const GridSpec g{kind, bits};
  if (kind == GridKind::Symmetric && bits == 8) return;
  std::mt19937 rng(31u * unsigned(bits) + unsigned(kind));
  const int64_t N = 2, C = 3, H = 5, W = 9;
  const float alpha = 0.1f;
  std::vector<float> x(std::size_t(N * C * H * W));
  std::uniform_real_distribution<float> d(-float(1 << bits) * alpha, float(1 << bits) * alpha);
  for (std::size_t i = 0; i < x.size(); ++i)
    x[i] = i % 4 == 0 ? (float(int(i % 19) - 9) + 0.5f) * alpha : d(rng); // ties and values beyond the grid
  const std::string T = level_type(g);
  const std::string X = "tensor<?x3x5x9xf32>", Q = "tensor<?x3x5x9x" + T + ">";
  const std::string mlir = "func @f(%x: " + X + ", %a: tensor<1xf32>) -> (" + Q + ", " + X +
                           ") {\n  %q = cpq.encode %x, %a {" + grid_attrs(g) + "} : (" + X + ", tensor<1xf32>) -> " +
                           Q + "\n  %y = cpq.decode %q, %a {" + grid_attrs(g) + "} : (" + Q + ", tensor<1xf32>) -> " +
                           X + "\n  return %q, %y : " + Q + ", " + X + "\n}\n";
  Run f(mlir, "f");
  f.set(0, buffer<float>({N, C, H, W}, x));
  f.set(1, buffer<float>({1}, std::vector<float>{alpha}));
  Halide::Realization r = f.run(int(N));
  std::vector<int> q;
  if (T == "ui8")
    for (auto v : values<std::uint8_t>(r[0])) q.push_back(v);
  else
    for (auto v : values<std::int8_t>(r[0])) q.push_back(v);
  const auto y = values<float>(r[1]);
  std::size_t mismatches = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const int want = reference::quantize_level(g, x[i], alpha);
    mismatches += q[i] != want || y[i] != reference::dequantize(g, want, alpha);
  }
  BOOST_TEST(mismatches == 0u);
}

BOOST_DATA_TEST_CASE(pack_at_run_time_and_at_compile_time_is_bit_exact, bdata::make(kKinds) * bdata::xrange(1, 9),
                     kind, bits) {
  const GridSpec g{kind, bits};
  std::mt19937 rng(77u * unsigned(bits) + unsigned(kind));
  // A conv filter (K = 3 * 3 * 3 = 27, an awkward row) per output channel.
  const int64_t O = 5, C = 3, KH = 3, KW = 3, K = C * KH * KW, rb = reference::packed_row_bytes(K, bits);
  std::vector<float> w(static_cast<std::size_t>(O * K)), alpha(static_cast<std::size_t>(O));
  for (std::size_t o = 0; o < alpha.size(); ++o) alpha[o] = 0.05f * float(o + 1);
  std::uniform_real_distribution<float> d(-1.0f, 1.0f);
  for (auto &v : w) v = d(rng);
  for (int64_t o = 0; o < O; ++o) w[std::size_t(o * K)] = (float(g.q_min()) + 0.5f) * alpha[std::size_t(o)] * g.t_per_q();
  std::vector<std::int32_t> levels(w.size());
  for (std::size_t i = 0; i < w.size(); ++i) levels[i] = reference::quantize_level(g, w[i], alpha[i / std::size_t(K)]);
  const auto want = reference::pack_weight_levels(g, levels.data(), O, K);

  const std::string Wt = "tensor<5x3x3x3xf32>", A = "tensor<5xf32>",
                    P = "tensor<5x" + std::to_string(rb) + "xui8>";
  // Run time: weight and alpha are inputs.
  const std::string run_time = "func @f(%w: " + Wt + ", %a: " + A + ") -> " + P + " {\n  %p = cpq.pack %w, %a {" +
                               grid_attrs(g) + "} : (" + Wt + ", " + A + ") -> " + P + "\n  return %p : " + P + "\n}\n";
  Run f(run_time, "f");
  f.set(0, buffer<float>({O, C, KH, KW}, w));
  f.set(1, buffer<float>({O}, alpha));
  BOOST_TEST(values<std::uint8_t>(f.run(1)[0]) == want);

  // Compile time: bound parameters, packed by the lowering; a qdense over the
  // flattened rows shows the bytes are the ones the kernels read.
  auto dense_values = [](const std::vector<float> &v) {
    std::ostringstream s;
    s.precision(9);
    for (std::size_t i = 0; i < v.size(); ++i) s << (i ? ", " : "") << v[i];
    return s.str();
  };
  const std::string Wf = "tensor<5x27xf32>", X = "tensor<?x27xui8>", Y = "tensor<?x5xi32>",
                    P2 = "tensor<5x" + std::to_string(rb) + "xui8>";
  // The weight as a bound [O, K] parameter: dense<> needs the shape.
  std::ostringstream rows;
  for (int64_t o = 0; o < O; ++o)
    rows << (o ? ", " : "") << "["
         << dense_values(std::vector<float>(w.begin() + o * K, w.begin() + (o + 1) * K)) << "]";
  const std::string module = "func @f(%x: " + X + ") -> " + Y + " {\n  %w = cpq.param \"w\" {init = \"constant\", value = dense<[" +
                             rows.str() + "]> : " + Wf + "} : " + Wf + "\n  %a = cpq.param \"a\" {init = \"constant\", value = dense<[" +
                             dense_values(alpha) + "]> : " + A + "} : " + A + "\n  %p = cpq.pack %w, %a {" + grid_attrs(g) +
                             "} : (" + Wf + ", " + A + ") -> " + P2 + "\n  %y = cpq.qdense %x, %p {" + grid_attrs(g) +
                             "} : (" + X + ", " + P2 + ") -> " + Y + "\n  return %y : " + Y + "\n}\n";
  Run h(module, "f");
  const auto x = random_levels_u8(8, 2 * K, rng);
  h.set(0, buffer<std::uint8_t>({2, K}, x));
  BOOST_TEST(values<std::int32_t>(h.run(2)[0]) == reference::qdense(g, x.data(), want.data(), 2, K, O));
}

// Binary layers: 1-bit weights of each kind on 1-bit activations an encode
// made (codes 0/1 of the unsigned grid as uint8, levels -1/+1 of the
// symmetric grid as int8), through a max-pool and a flatten: the lowering
// keeps the weights as bit rows and calls cpq_bgemm_b1 (AND and popcount,
// cpq/kernels/bgemm.h); K across several 512-bit blocks. Symmetric
// activations have no level 0 for padding: padded convolutions on them go
// to qgemm as int8 levels instead.
namespace {

const GridKind kActivationKinds[] = {GridKind::Unsigned, GridKind::Symmetric};

/// Levels of the 1-bit activation grid `kind` (alpha 1) of floats.
std::vector<std::int8_t> binary_levels(GridKind kind, const std::vector<float> &x) {
  std::vector<std::int8_t> q(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) q[i] = std::int8_t(reference::quantize_level(GridSpec{kind, 1}, x[i], 1.0f));
  return q;
}
std::vector<float> random_floats(std::size_t n, std::mt19937 &rng) {
  std::uniform_real_distribution<float> d(-1.0f, 2.0f);
  std::vector<float> v(n);
  for (auto &x : v) x = d(rng);
  return v;
}
std::string encode_attrs(GridKind kind) { return "{grid = \"" + std::string(to_string(kind)) + "\", bits = 1}"; }
std::string act_type(GridKind kind) { return kind == GridKind::Unsigned ? "ui8" : "si8"; }

} // namespace

BOOST_DATA_TEST_CASE(binary_qdense_is_bit_exact_by_and_popcount, bdata::make(kKinds) * bdata::make(kActivationKinds),
                     kind, act) {
  const GridSpec g{kind, 1};
  std::mt19937 rng(900u + unsigned(kind) + 10u * unsigned(act));
  for (auto [batch, k, o] : std::vector<std::array<int64_t, 3>>{
           {1, 33, 17}, {5, 700, 64}, {200, 37, 96}, {3, 1, 1}, {2, 1030, 40}, {7, 512, 33}}) {
    std::vector<std::int32_t> levels;
    const auto p = random_packed(g, o, k, rng, &levels);
    const int64_t rb = reference::packed_row_bytes(k, 1);
    const std::string X = "tensor<?x" + std::to_string(k) + "xf32>",
                      Q = "tensor<?x" + std::to_string(k) + "x" + act_type(act) + ">",
                      Y = "tensor<?x" + std::to_string(o) + "xi32>",
                      P = "tensor<" + std::to_string(o) + "x" + std::to_string(rb) + "xui8>";
    const std::string mlir = "func @f(%x: " + X + ", %s: tensor<1xf32>) -> " + Y + " {\n" +
                             bound_weight(g, {o, k}, levels, P) + "  %q = cpq.encode %x, %s " + encode_attrs(act) +
                             " : (" + X + ", tensor<1xf32>) -> " + Q + "\n  %y = cpq.qdense %q, %p {" + grid_attrs(g) +
                             "} : (" + Q + ", " + P + ") -> " + Y + "\n  return %y : " + Y + "\n}\n";
    Run f(mlir, "f");
    BOOST_TEST_REQUIRE((f.compiled.lowered.externs == std::vector<std::string>{"cpq_bgemm_b1"}));
    const auto x = random_floats(std::size_t(batch * k), rng);
    f.set(0, buffer<float>({batch, k}, x));
    f.set(1, buffer<float>({1}, std::vector<float>{1.0f}));
    const auto a = binary_levels(act, x);
    BOOST_TEST(values<std::int32_t>(f.run(int(batch))[0]) == reference::qdense(g, a.data(), p.data(), batch, k, o),
               "batch " << batch << " K " << k << " O " << o);
  }
}

BOOST_DATA_TEST_CASE(binary_layers_through_pool_flatten_and_conv,
                     bdata::make(kKinds) * bdata::make(kActivationKinds) * bdata::make({0, 1}), kind, act, pad) {
  // encode -> qconv2d (3x3) and encode -> maxpool 2x2 -> flatten -> qdense.
  const GridSpec g{kind, 1};
  std::mt19937 rng(950u + unsigned(kind) + 10u * unsigned(act) + 100u * unsigned(pad));
  const int64_t N = 3, C = 5, H = 6, W = 6, O = 18, K = C * 9, D = 11, KD = C * 3 * 3, OH = H - 2 + 2 * pad;
  std::vector<std::int32_t> conv_levels, dense_levels;
  const auto pc = random_packed(g, O, K, rng, &conv_levels), pd = random_packed(g, D, KD, rng, &dense_levels);
  const std::string T = act_type(act), X = "tensor<?x5x6x6xf32>", Q = "tensor<?x5x6x6x" + T + ">",
                    M = "tensor<?x5x3x3x" + T + ">", F = "tensor<?x45x" + T + ">",
                    Y = "tensor<?x18x" + std::to_string(OH) + "x" + std::to_string(OH) + "xi32>",
                    Z = "tensor<?x11xi32>",
                    PC = "tensor<18x" + std::to_string(reference::packed_row_bytes(K, 1)) + "xui8>",
                    PD = "tensor<11x" + std::to_string(reference::packed_row_bytes(KD, 1)) + "xui8>";
  const std::string weights = bound_weight(g, {O, C, 3, 3}, conv_levels, PC),
                    dense = bound_weight(g, {D, KD}, dense_levels, PD, "2");
  const std::string p = std::to_string(pad);
  const std::string mlir =
      "func @f(%x: " + X + ", %s: tensor<1xf32>) -> (" + Y + ", " + Z + ") {\n" + weights + dense +
      "  %q = cpq.encode %x, %s " + encode_attrs(act) + " : (" + X + ", tensor<1xf32>) -> " + Q +
      "\n  %y = cpq.qconv2d %q, %p {" + grid_attrs(g) + ", kernel = [3, 3], stride = [1, 1], padding = [" + p + ", " + p +
      "]} : (" + Q + ", " + PC + ") -> " + Y + "\n  %m = cpq.maxpool2d %q {kernel = [2, 2]} : (" + Q + ") -> " + M +
      "\n  %l = cpq.flatten %m : (" + M + ") -> " + F + "\n  %z = cpq.qdense %l, %p2 {" + grid_attrs(g) + "} : (" + F +
      ", " + PD + ") -> " + Z + "\n  return %y, %z : " + Y + ", " + Z + "\n}\n";
  Run f(mlir, "f");
  // The padded convolution on sign activations goes to qgemm as int8 levels
  // (shifted by 128; padding level 0 is code 128 there).
  const bool conv_binary = act == GridKind::Unsigned || pad == 0;
  std::vector<std::string> externs = f.compiled.lowered.externs;
  std::sort(externs.begin(), externs.end());
  BOOST_TEST_REQUIRE((externs == (conv_binary ? std::vector<std::string>{"cpq_bgemm_b1"}
                                              : std::vector<std::string>{"cpq_bgemm_b1", "cpq_qgemm_u8"})));
  int extern_stages = 0;
  for (const auto &stage : f.compiled.lowered.stages) extern_stages += bool(stage.extern_gemm);
  BOOST_TEST(extern_stages == 2);
  const auto x = random_floats(std::size_t(N * C * H * W), rng);
  f.set(0, buffer<float>({N, C, H, W}, x));
  f.set(1, buffer<float>({1}, std::vector<float>{1.0f}));
  Halide::Realization r = f.run(int(N));
  const auto a = binary_levels(act, x);
  reference::QConvShape s{N, C, H, W, O, 3, 3, 1, 1, pad, pad, 1};
  BOOST_TEST((values<std::int32_t>(r[0]) == reference::qconv2d(g, a.data(), pc.data(), s)));
  std::vector<std::int8_t> pooled(std::size_t(N * C * 3 * 3));
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t i = 0; i < 3; ++i)
        for (int64_t j = 0; j < 3; ++j) {
          std::int8_t m = -128;
          for (int64_t di = 0; di < 2; ++di)
            for (int64_t dj = 0; dj < 2; ++dj)
              m = std::max(m, a[std::size_t(((n * C + c) * H + 2 * i + di) * W + 2 * j + dj)]);
          pooled[std::size_t(((n * C + c) * 3 + i) * 3 + j)] = m;
        }
  BOOST_TEST((values<std::int32_t>(r[1]) == reference::qdense(g, pooled.data(), pd.data(), N, KD, D)));
}
