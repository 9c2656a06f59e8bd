//===- test_quantize_aot.cpp - every AOT quantizer kernel against the reference -===//
//
// Calls every ahead-of-time compiled quantizer kernel of this build (hand,
// Adams2019 and Mullapudi2016 schedules; the multi-target library picks the
// best target of this CPU) through its generated C function and compares it
// with the scalar reference on awkward sizes, per tensor and per channel,
// with and without DropBits masks (hierarchical, and independent for the
// kernels built for them), and every gated kernel with binary, drawn and
// evaluation-time gates.
//
//===----------------------------------------------------------------------===//
#define BOOST_TEST_MODULE quantize_aot
#include <boost/test/unit_test.hpp>

#include "codegen/quantize_kernels.h"
#include "quantize_check.h"
#include "../unit/dense_buffer.h"

#include <HalideBuffer.h>

#include <cmath>
#include <string>

using namespace cpq;
using Halide::Runtime::Buffer;

namespace {
/// Halide's default error handler aborts; the tests record the message and
/// let the kernel return its error code.
std::string last_error;
void record_error(void *, const char *msg) { last_error = msg; }
struct UseRecordingErrorHandler {
  UseRecordingErrorHandler() { halide_set_error_handler(record_error); }
};
BOOST_TEST_GLOBAL_FIXTURE(UseRecordingErrorHandler);

/// The hand schedules guard every tail, so any size is valid. The
/// autoschedulers split without guards for the sizes they were given as
/// estimates; their kernels are for schedule comparisons on large tensors
/// and are checked on such.
std::vector<testing::QuantizeCase> cases_for(const char *schedule) {
  if (std::string(schedule) != "hand") return {{4096, 64, 1}, {8192, 64, 2}};
  return {{1, 1, 1}, {3, 1, 1}, {33, 1, 1}, {63, 1, 1}, {4099, 3, 2}, {1, 3, 21}, {1000003, 1, 1}};
}

std::vector<LevelMask> masks_for(GridSpec g, DropBitsMode kind) {
  std::vector<LevelMask> masks{all_levels(g.bits)};
  if (g.supports_dropbits())
    for (int top = 1; top < g.bits; ++top) masks.push_back(static_cast<LevelMask>(((1u << top) - 1u) << 1));
  if (kind == DropBitsMode::Independent) {
    // Masks as training draws them, first: they may have gaps.
    std::vector<LevelMask> drawn;
    for (std::uint64_t step = 0; drawn.size() < 4; ++step)
      drawn.push_back(draw_dropbits_mask(g, DropBitsConfig{0.7, DropBitsMode::Independent}, 11, step, 1));
    masks.insert(masks.begin(), drawn.begin(), drawn.end());
  }
  return masks;
}
} // namespace

BOOST_AUTO_TEST_CASE(every_forward_kernel_is_bit_exact) {
  BOOST_TEST(aot::quantize_forward_kernels().size() >= 62u);
  for (const auto &k : aot::quantize_forward_kernels()) {
    const GridSpec g = make_grid(k.grid, k.bits);
    const auto masks = masks_for(g, k.masks);
    std::mt19937 rng(k.bits);
    int m = 0;
    for (const auto &cs : cases_for(k.schedule)) {
      const LevelMask keep = masks[m++ % masks.size()];
      const SurvivingGrid s = make_surviving_grid(g, keep);
      testing::QuantizeData d = testing::make_quantize_data(s, cs, rng);
      Buffer<float> x_hat(cs.inner, cs.channels, cs.outer);
      BOOST_TEST_CONTEXT(k.name << " size " << cs.inner << "x" << cs.channels << "x" << cs.outer << " keep " << keep) {
        BOOST_TEST_REQUIRE(k.fn(d.x, d.alpha, keep, x_hat) == 0, last_error);
        testing::check_forward(s, d, x_hat);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(every_backward_kernel_matches_the_reference) {
  BOOST_TEST(aot::quantize_backward_kernels().size() >= 62u);
  for (const auto &k : aot::quantize_backward_kernels()) {
    const GridSpec g = make_grid(k.grid, k.bits);
    const auto masks = masks_for(g, k.masks);
    std::mt19937 rng(100 + k.bits);
    int m = 0;
    for (const auto &cs : cases_for(k.schedule)) {
      const LevelMask keep = masks[m++ % masks.size()];
      const SurvivingGrid s = make_surviving_grid(g, keep);
      testing::QuantizeData d = testing::make_quantize_data(s, cs, rng);
      Buffer<float> grad_x(cs.inner, cs.channels, cs.outer);
      Buffer<double> grad_alpha(cs.channels), grad_sigma(cs.channels);
      BOOST_TEST_CONTEXT(k.name << " size " << cs.inner << "x" << cs.channels << "x" << cs.outer << " keep " << keep) {
        BOOST_TEST_REQUIRE(k.fn(d.x, d.alpha, d.sigma, d.grad, keep, d.edge_window, grad_x, grad_alpha, grad_sigma) == 0,
                           last_error);
        testing::check_backward(s, d, grad_x, grad_alpha, grad_sigma);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(every_gated_kernel_matches_the_reference) {
  BOOST_TEST(aot::gated_forward_kernels().size() == 14u);
  BOOST_TEST(aot::gated_backward_kernels().size() == 14u);
  for (const auto &fwd : aot::gated_forward_kernels()) {
    const GridSpec g = make_grid(fwd.grid, fwd.bits);
    const auto *bwd = aot::find_gated_backward(g);
    BOOST_TEST_REQUIRE(bwd != nullptr);
    const auto gg = reference::make_gated_grids(g);
    const auto cases = cases_for("hand");
    const auto gate_sets = testing::test_gate_sets(g.bits, cases.size());
    std::mt19937 rng(200 + g.bits);
    for (std::size_t index = 0; index < cases.size(); ++index) {
      const auto &cs = cases[index];
      const GateSet &gates = gate_sets[index];
      testing::QuantizeData d = testing::make_quantize_data(make_surviving_grid(g), cs, rng);
      Buffer<double> z(g.bits - 1), slope(g.bits - 1), grad_alpha(cs.channels), grad_sigma(cs.channels),
          grad_log_a(g.bits - 1);
      for (int l = 2; l <= g.bits; ++l) z(l - 2) = gates.z(l), slope(l - 2) = gates.level[l - 2].dz_dlog_a;
      Buffer<float> x_hat(cs.inner, cs.channels, cs.outer), grad_x(cs.inner, cs.channels, cs.outer);
      BOOST_TEST_CONTEXT(fwd.name << " size " << cs.inner << "x" << cs.channels << "x" << cs.outer << " gates " << index) {
        BOOST_TEST_REQUIRE(fwd.fn(d.x, d.alpha, z, x_hat) == 0, last_error);
        BOOST_TEST_REQUIRE(bwd->fn(d.x, d.alpha, d.sigma, d.grad, z, slope, d.edge_window, grad_x, grad_alpha,
                                   grad_sigma, grad_log_a) == 0,
                           last_error);
        testing::check_gated(gg, gates, d, x_hat, grad_x, grad_alpha, grad_sigma, grad_log_a);
      }
    }
  }
}

// Non-finite inputs give what the reference gives (NaN -> lowest level,
// +-inf -> clipped), in every hand-scheduled forward kernel.
BOOST_AUTO_TEST_CASE(forward_handles_non_finite_inputs_like_the_reference) {
  const float values[] = {std::nanf(""), INFINITY, -INFINITY, 1e30f, -1e30f, 0.0f, -0.0f};
  for (const auto &k : aot::quantize_forward_kernels()) {
    if (std::string(k.schedule) != "hand") continue;
    const GridSpec g = make_grid(k.grid, k.bits);
    const SurvivingGrid s = make_surviving_grid(g);
    Buffer<float> x(7, 1, 1), alpha(1), x_hat(7, 1, 1);
    alpha(0) = 0.5f;
    for (int i = 0; i < 7; ++i) x(i, 0, 0) = values[i];
    BOOST_TEST_REQUIRE(k.fn(x, alpha, all_levels(g.bits), x_hat) == 0, last_error);
    for (int i = 0; i < 7; ++i) {
      const float want = reference::dequantize(g, reference::quantize_level(s, values[i], 0.5f), 0.5f);
      BOOST_TEST(x_hat(i, 0, 0) == want, k.name << " x=" << values[i] << ": " << x_hat(i, 0, 0) << " vs " << want);
    }
  }
}

BOOST_AUTO_TEST_CASE(kernels_report_bad_input_as_errors) {
  const auto *fwd = aot::find_quantize_forward(make_grid(GridKind::Signed, 4));
  const auto *bwd = aot::find_quantize_backward(make_grid(GridKind::Signed, 4));
  BOOST_TEST_REQUIRE(fwd != nullptr);
  BOOST_TEST_REQUIRE(bwd != nullptr);
  BOOST_TEST(aot::find_quantize_forward(make_grid(GridKind::Signed, 3), "Adams2019") == nullptr);
  BOOST_TEST(aot::find_quantize_forward(make_grid(GridKind::Symmetric, 3), "hand", DropBitsMode::Independent) == nullptr);
  BOOST_TEST(aot::find_gated_forward(make_grid(GridKind::Signed, 1)) == nullptr);
  Buffer<float> x(8, 1, 1), alpha(1), sigma(1), grad(8, 1, 1), out(8, 1, 1);
  Buffer<double> ga(1), gs(1);
  testing::fill_dense(x, 0.1f), testing::fill_dense(grad, 1.0f);
  alpha.fill(0.5f), sigma.fill(0.5f);
  // A non-hierarchical mask, a too small edge window, and a wrong shape all
  // give a non-zero Halide error code, not a wrong answer.
  BOOST_TEST(fwd->fn(x, alpha, 0b10110, out) != 0);
  BOOST_TEST(last_error.find("not a hierarchical mask") != std::string::npos, last_error);
  BOOST_TEST(bwd->fn(x, alpha, sigma, grad, all_levels(4), 2, out, ga, gs) != 0);
  BOOST_TEST(last_error.find("edge_window") != std::string::npos, last_error);
  Buffer<float> two_channels(8, 2, 1), out2(8, 2, 1); // but alpha has one
  testing::fill_dense(two_channels, 0.1f);
  BOOST_TEST(fwd->fn(two_channels, alpha, all_levels(4), out2) != 0);
  BOOST_TEST(last_error.find("alpha") != std::string::npos, last_error);
  BOOST_TEST(fwd->fn(x, alpha, all_levels(4), out) == 0);
  // The independent kernel takes gaps but not a mask without level 1.
  const auto *ind = aot::find_quantize_forward(make_grid(GridKind::Signed, 4), "hand", DropBitsMode::Independent);
  BOOST_TEST_REQUIRE(ind != nullptr);
  BOOST_TEST(ind->fn(x, alpha, 0b10110, out) == 0, last_error);
  BOOST_TEST(ind->fn(x, alpha, 0b10100, out) != 0);
  BOOST_TEST(last_error.find("DropBits mask") != std::string::npos, last_error);
  // Gated kernels check the gate buffer's size.
  const auto *gated = aot::find_gated_forward(make_grid(GridKind::Signed, 4));
  BOOST_TEST_REQUIRE(gated != nullptr);
  Buffer<double> two_gates(2);
  two_gates.fill(1.0);
  BOOST_TEST(gated->fn(x, alpha, two_gates, out) != 0);
  BOOST_TEST(last_error.find("z") != std::string::npos, last_error);
}
