//===- test_codegen_fused.cpp - a quantizer's gradient behind a max pool ----===//
//
// An activation quantizer before a max pool whose windows tile its input
// (LeNet-5's 2x2 pools): the lowering runs the quantizer's backward at each
// window's first maximum only, where the pool's gradient is not zero. The
// function quantize_train -> maxpool2d_grad -> quantize_grad, compiled, must
// equal the scalar reference's pool gradient followed by its quantizer
// gradient at every element, with the ties that quantized values make
// (first maximum, row-major), rows and columns no window covers, per-tensor
// and per-channel scales, DropBits and gates; and the pool gradient must not
// be a stage of its own when only the quantizer reads it. Windows that do not
// tile (stride 1) and scales along a pooled axis take the unfused path and
// must agree too.
//
//===----------------------------------------------------------------------===//
#define BOOST_TEST_MODULE codegen_fused
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "codegen_harness.h"

#include "cpq/kernels/dropbits.h"
#include "cpq/kernels/gates.h"
#include "cpq/kernels/quantizer_reference.h"

#include <algorithm>
#include <sstream>

using namespace cpq;
using namespace cpq::testing;
namespace bdata = boost::unit_test::data;
using reference::Tensor;

namespace {

struct FusedCase {
  const char *grid;
  int bits;
  double p;
  int axis; ///< -1: per tensor
  std::vector<int64_t> shape;
  int k, stride;
  bool gated = false;
  bool return_pool_grad = false; ///< another user of the pool's gradient
  double gate_lambda = 0.0;      ///< the L0 term counts all of one image's inputs, not the windows
  bool fuses() const { return k == stride && axis < 2; }
};
std::ostream &operator<<(std::ostream &os, const FusedCase &c) {
  os << c.grid << " b" << c.bits << " p" << c.p << " axis " << c.axis << " shape " << c.shape[0] << "x" << c.shape[1]
     << "x" << c.shape[2] << "x" << c.shape[3] << " k" << c.k << " s" << c.stride;
  return os << (c.gated ? " gated, lambda " + std::to_string(c.gate_lambda) : "") << (c.return_pool_grad ? " pool gradient returned" : "");
}

const FusedCase fused_cases[] = {
    // LeNet-5's conv1 activation (rows of 24 -> 12) and conv2's (8 -> 4).
    {"unsigned", 4, 0.25, -1, {2, 3, 24, 24}, 2, 2},
    {"unsigned", 2, 0.25, -1, {3, 4, 8, 8}, 2, 2},
    // Rows and columns no window covers; a 3x3 window; per-channel scales.
    {"unsigned", 3, 0.5, -1, {2, 2, 7, 9}, 2, 2},
    {"signed", 4, 0.0, 1, {2, 3, 9, 10}, 3, 3},
    {"signed", 2, 0.5, 0, {3, 2, 6, 6}, 2, 2},
    {"unsigned", 8, 0.3, -1, {1, 2, 5, 13}, 2, 2},
    // Gates; the pool's gradient also returned (still computed, not fused away).
    {"unsigned", 4, 0.0, -1, {2, 2, 12, 12}, 2, 2, true, false, 0.01},
    {"unsigned", 2, 0.5, -1, {2, 3, 6, 8}, 2, 2, false, true},
    // Not fused: overlapping windows, scales along a pooled axis.
    {"unsigned", 4, 0.25, -1, {2, 2, 7, 7}, 2, 1},
    {"signed", 3, 0.0, 2, {2, 2, 6, 6}, 2, 2},
};

void check(const Tensor &got, const Tensor &want, double rel, double abs, const std::string &what) {
  std::string where;
  BOOST_TEST(all_close(got, want, rel, abs, where), what << ": " << where);
}

} // namespace

BOOST_DATA_TEST_CASE(quantizer_gradient_behind_a_max_pool_matches_the_reference, bdata::make(fused_cases), c) {
  std::mt19937 rng(31 + c.bits + c.k);
  const std::vector<int64_t> xs = c.shape;
  const int64_t oh = (xs[2] - c.k) / c.stride + 1, ow = (xs[3] - c.k) / c.stride + 1;
  const std::vector<int64_t> ys = {xs[0], xs[1], oh, ow};
  const int channels = c.axis >= 0 ? int(xs[std::size_t(c.axis)]) : 1;
  const std::string X = tensor_type(xs, false), Y = tensor_type(ys, false), A = tensor_type({channels}, false),
                    G = tensor_type({c.bits - 1}, false);
  std::ostringstream t, w;
  t << "grid = \"" << c.grid << "\", bits = " << c.bits << (c.axis >= 0 ? ", axis = " + std::to_string(c.axis) : "");
  if (!c.gated) t << ", dropbits_p = " << std::showpoint << c.p;
  else t << ", gate_lambda = " << std::showpoint << c.gate_lambda;
  t << ", tensor_id = 3";
  w << "{kernel = [" << c.k << ", " << c.k << "], stride = [" << c.stride << ", " << c.stride << "]}";
  const std::string gate_arg = c.gated ? ", %g: " + G : "", gate_use = c.gated ? ", %g" : "",
                    gate_type = c.gated ? ", " + G : "", gate_result = c.gated ? ", %dg" : "";
  const std::string results = X + ", " + A + ", " + A + gate_type + (c.return_pool_grad ? ", " + X : "");
  const std::string mlir =
      "func @f(%x: " + X + ", %a: " + A + ", %s: " + A + ", %dy: " + Y + gate_arg + ", %seed: i64, %step: i64) -> (" +
      results + ") {\n" + "  %q = cpq.quantize_train %x, %a, %s, %seed, %step" + gate_use + " {" + t.str() + "} : (" +
      X + ", " + A + ", " + A + ", i64, i64" + gate_type + ") -> " + X + "\n" + "  %d = cpq.maxpool2d_grad %dy, %q " +
      w.str() + " : (" + Y + ", " + X + ") -> " + X + "\n" + "  %dx, %da, %ds" + gate_result +
      " = cpq.quantize_grad %d, %x, %a, %s, %seed, %step" + gate_use + " {" + t.str() + "} : (" + X + ", " + X + ", " +
      A + ", " + A + ", i64, i64" + gate_type + ") -> (" + X + ", " + A + ", " + A + gate_type + ")\n" +
      "  return %dx, %da, %ds" + gate_result + (c.return_pool_grad ? ", %d" : "") + " : " + results + "\n}\n";

  // Values spread over the grid and beyond, many of them tied once quantized.
  const Tensor x = random_tensor(xs, rng, -0.5f, 1.8f), dy = random_tensor(ys, rng);
  Tensor alpha({channels}), sigma({channels}), logits({c.bits - 1});
  for (int k = 0; k < channels; ++k)
    alpha.data[k] = (c.bits >= 7 ? 0.01f : 0.25f) + 0.04f * float(k), sigma.data[k] = alpha.data[k] * 0.3f;
  for (int k = 0; k < c.bits - 1; ++k) logits.data[k] = 0.6f - 0.35f * float(k);
  Compiled f(mlir);
  int arg = 0;
  f.set(arg++, x), f.set(arg++, alpha), f.set(arg++, sigma), f.set(arg++, dy);
  if (c.gated) f.set(arg++, logits);
  const int64_t seed = 77, step = 5;
  f.set_scalar(arg++, seed), f.set_scalar(arg++, step);
  auto o = f.run(int(xs[0]));

  // The lowering fused what it should, and only that.
  const auto &stages = f.lowered.stages;
  const bool pool_stage = std::any_of(stages.begin(), stages.end(), [](const auto &s) { return s.family == "pool_grad"; });
  const bool argmax_helper = std::any_of(stages.begin(), stages.end(), [](const auto &s) {
    return s.family == "quantize_grad" && std::any_of(s.helpers.begin(), s.helpers.end(), [](const Halide::Func &h) {
             return h.name().find("_pool_argmax") != std::string::npos;
           });
  });
  BOOST_TEST(argmax_helper == c.fuses());
  BOOST_TEST(pool_stage == (!c.fuses() || c.return_pool_grad));

  // The reference: the quantized values, the pool's gradient on them, the
  // quantizer's gradient at every element.
  const std::string grid = c.grid;
  const GridSpec g = make_grid(grid == "signed" ? GridKind::Signed : GridKind::Unsigned, c.bits);
  const LevelMask keep = draw_dropbits_mask(g, {c.p, DropBitsMode::Hierarchical}, seed, step, 3);
  const SurvivingGrid drawn = make_surviving_grid(g, keep); // p = 0 with gates: every level
  const reference::GatedGrids gg = reference::make_gated_grids(g);
  std::vector<double> log_a(logits.data.begin(), logits.data.end());
  const GateSet gates = c.gated ? draw_gates(c.bits, log_a.data(), seed, step, 3) : GateSet{};
  auto channel_of = [&](int64_t k) -> int {
    if (c.axis < 0) return 0;
    int64_t stride = 1;
    for (std::size_t d = std::size_t(c.axis) + 1; d < xs.size(); ++d) stride *= xs[d];
    return int((k / stride) % xs[std::size_t(c.axis)]);
  };
  Tensor q(xs);
  for (int64_t k = 0; k < x.elements(); ++k) {
    const float al = alpha.data[channel_of(k)];
    q.data[k] = c.gated ? reference::gated_forward(gg, gates, x.data[k], al)
                        : reference::dequantize(g, reference::quantize_level(drawn, x.data[k], al), al);
  }
  const reference::Window win{c.k, c.k, c.stride, c.stride, 0, 0};
  const Tensor d = reference::maxpool2d_grad(dy, q, win);
  Tensor dx(xs), da({channels}), ds({channels}), dg({c.bits - 1});
  std::vector<double> sa(std::size_t(channels), 0.0), ss(std::size_t(channels), 0.0), sz(std::size_t(c.bits), 0.0);
  int64_t tied = 0;
  for (int64_t k = 0; k < x.elements(); ++k) {
    const int ch = channel_of(k);
    const float al = alpha.data[ch], si = sigma.data[ch];
    if (c.gated) {
      const auto grad = reference::gated_backward(gg, gates, x.data[k], al, si, d.data[k]);
      dx.data[k] = float(grad.ste.dx);
      sa[ch] += grad.ste.dalpha, ss[ch] += grad.ste.dsigma;
      for (int l = 2; l <= c.bits; ++l) sz[l - 2] += grad.dz[l - 2];
    } else {
      const auto grad = reference::backward_fast(drawn, x.data[k], al, si, d.data[k]);
      dx.data[k] = float(grad.dx);
      sa[ch] += grad.dalpha, ss[ch] += grad.dsigma;
    }
    if (k % xs[3] + 1 < xs[3] && q.data[k] == q.data[k + 1]) ++tied;
  }
  BOOST_TEST(tied > 0); // neighbours tied once quantized: the first maximum decides
  for (int ch = 0; ch < channels; ++ch) da.data[ch] = float(sa[ch]), ds.data[ch] = float(ss[ch]);
  check(o[0], dx, 1e-4, 1e-5, "dx");
  check(o[1], da, 1e-4, 1e-4, "dalpha");
  check(o[2], ds, 1e-4, 1e-4, "dsigma");
  if (c.gated) {
    // The regulariser counts one image's elements of x (an activation), all
    // of them: the fusion must not count only the windows.
    std::vector<double> reg(std::size_t(c.bits), 0.0);
    expected_extra_bits(c.bits, log_a.data(), reg.data());
    const double per_image = double(x.elements()) / double(xs[0]);
    for (int l = 2; l <= c.bits; ++l)
      dg.data[l - 2] = float(gates.level[l - 2].dz_dlog_a * sz[l - 2] + c.gate_lambda * per_image * reg[l - 2]);
    check(o[3], dg, 1e-4, 1e-4, "dlog_a");
  }
  if (c.return_pool_grad) check(o[3], d, 0, 0, "maxpool2d_grad");
}
