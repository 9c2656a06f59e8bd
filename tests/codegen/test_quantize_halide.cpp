//===- test_quantize_halide.cpp - the Halide quantizer against the reference -===//
//
// JIT-compiles the quantize builder (codegen/ops/quantize.h) for every grid
// kind and bit-width and compares it with the scalar reference of kernels/:
// the forward bit-exactly (levels, x_hat, codes), the backward within stated
// tolerances, per tensor and per channel, on awkward sizes, with and without
// DropBits masks (hierarchical and independent kernels) and with learned-gate
// kernels, and checks the pipeline's own errors.
//
//===----------------------------------------------------------------------===//
#define BOOST_TEST_MODULE quantize_halide
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "codegen/ops/quantize.h"
#include "schedules/schedule.h"
#include "cpq/kernels/gates.h"
#include "cpq/kernels/quantizer_reference.h"
#include "../unit/dense_buffer.h"
#include "../unit/test_support.h"
#include "quantize_check.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

namespace bdata = boost::unit_test::data;
using namespace cpq;
using Halide::Buffer;

namespace {
const auto kKinds = bdata::make({GridKind::Signed, GridKind::Unsigned, GridKind::Symmetric});
const auto kBits = bdata::xrange(1, 9);

/// The forward and backward pipelines of one grid, JIT-compiled once.
struct Pipelines {
  codegen::TensorVars v;
  Halide::ImageParam x{Halide::Float(32), 3, "x"}, grad{Halide::Float(32), 3, "grad"};
  Halide::ImageParam alpha{Halide::Float(32), 1, "alpha"}, sigma{Halide::Float(32), 1, "sigma"};
  Halide::Param<int32_t> keep{"keep"}, window{"window"};
  Halide::Pipeline forward, backward;

  explicit Pipelines(GridSpec g, DropBitsMode masks = DropBitsMode::Hierarchical) {
    auto fwd = codegen::build_quantize_forward(g, v, x, alpha, keep, masks);
    auto bwd = codegen::build_quantize_backward(g, v, x, alpha, sigma, keep, masks, window, grad, x.dim(0).extent(),
                                                x.dim(2).extent());
    // The hand schedules, as shipped (codes are an unscheduled extra output).
    schedules::QuantizeLoops fl, bl;
    fl.i = bl.i = v.i, fl.c = bl.c = v.c, fl.n = bl.n = v.n;
    fl.x_hat = fwd.x_hat, fl.tables = fwd.tables;
    bl.tables = bwd.forward.tables, bl.element = bwd.element, bl.edge_sums = bwd.edge_sums, bl.grad_x = bwd.grad_x;
    bl.element_helpers = bwd.element_helpers;
    bl.per_channel = bwd.per_channel;
    bl.channel_sums = bwd.channel_sums, bl.over_elements = bwd.over_elements;
    const auto target = Halide::get_jit_target_from_environment();
    schedules::schedule_quantize_forward(fl, target);
    schedules::schedule_quantize_backward(bl, target);
    forward = Halide::Pipeline({fwd.x_hat, fwd.code});
    backward = Halide::Pipeline({bwd.grad_x, bwd.grad_alpha, bwd.grad_sigma});
    forward.compile_jit();
    backward.compile_jit();
  }
};

const std::vector<testing::QuantizeCase> kCases{{1, 1, 1},  {3, 1, 1}, {33, 1, 1}, {63, 1, 1},
                                                {1000003, 1, 1}, {11, 3, 1}, {7, 3, 5}, {1, 3, 21}};

/// Runs both pipelines on each case with the next mask and compares them with
/// the reference.
void check_pipelines(Pipelines &p, GridSpec g, const std::vector<LevelMask> &masks, std::mt19937 &rng,
                     float sigma_scale = 1.0f) {
  int mask_index = 0;
  for (const auto &cs : kCases) {
    const LevelMask keep = masks[mask_index++ % masks.size()];
    const SurvivingGrid s = make_surviving_grid(g, keep);
    testing::QuantizeData d = testing::make_quantize_data(s, cs, rng, sigma_scale);
    p.x.set(Buffer<float>(*d.x.raw_buffer())), p.grad.set(Buffer<float>(*d.grad.raw_buffer()));
    p.alpha.set(Buffer<float>(*d.alpha.raw_buffer())), p.sigma.set(Buffer<float>(*d.sigma.raw_buffer()));
    p.keep.set(keep);
    p.window.set(d.edge_window);
    Halide::Runtime::Buffer<float> x_hat(cs.inner, cs.channels, cs.outer), grad_x(cs.inner, cs.channels, cs.outer);
    Halide::Runtime::Buffer<uint8_t> codes(cs.inner, cs.channels, cs.outer);
    Halide::Runtime::Buffer<double> grad_alpha(cs.channels), grad_sigma(cs.channels);
    std::vector<Buffer<>> fwd_out{Buffer<float>(*x_hat.raw_buffer()), Buffer<uint8_t>(*codes.raw_buffer())};
    std::vector<Buffer<>> bwd_out{Buffer<float>(*grad_x.raw_buffer()), Buffer<double>(*grad_alpha.raw_buffer()),
                                  Buffer<double>(*grad_sigma.raw_buffer())};
    p.forward.realize(Halide::Realization(fwd_out));
    p.backward.realize(Halide::Realization(bwd_out));
    BOOST_TEST_CONTEXT("size " << cs.inner << "x" << cs.channels << "x" << cs.outer << " keep " << keep) {
      testing::check_forward(s, d, x_hat);
      bool codes_ok = true;
      d.x.for_each_element([&](int i, int c, int n) {
        codes_ok = codes_ok && codes(i, c, n) == g.code_of_level(reference::quantize_level(s, d.x(i, c, n), d.alpha(c)));
      });
      BOOST_TEST(codes_ok, "codes are bit-exact");
      testing::check_backward(s, d, grad_x, grad_alpha, grad_sigma);
    }
  }
}

/// The full grid, then every hierarchical mask (levels 1..top, top < bits)
/// where the grid takes masks.
std::vector<LevelMask> hierarchical_masks(GridSpec g) {
  std::vector<LevelMask> masks{all_levels(g.bits)};
  if (g.supports_dropbits())
    for (int top = 1; top < g.bits; ++top) masks.push_back(static_cast<LevelMask>(((1u << top) - 1u) << 1));
  return masks;
}

} // namespace

BOOST_DATA_TEST_CASE(halide_quantizer_matches_the_reference, kKinds * kBits, kind, bits) {
  const GridSpec g = make_grid(kind, bits);
  Pipelines p(g);
  std::mt19937 rng(bits * 13 + static_cast<int>(kind));
  check_pipelines(p, g, hierarchical_masks(g), rng);
}

// Narrow noise (sigma / alpha 0.005-0.035): a window of 2 edges a side, short
// of the grid's, so the edge loop's masked form runs instead of the one over
// every edge (on 2-bit grids a loop of constant extent 3, unrolled).
BOOST_DATA_TEST_CASE(narrow_noise_windows_match_the_reference, kKinds * bdata::make({2, 3, 4, 8}), kind, bits) {
  const GridSpec g = make_grid(kind, bits);
  Pipelines p(g);
  std::mt19937 rng(bits * 23 + static_cast<int>(kind));
  check_pipelines(p, g, hierarchical_masks(g), rng, 0.05f);
}

// Independent masks: the kernel built for them takes every mask, drawn as
// training draws them (same seed, same masks), hierarchical ones included.
BOOST_DATA_TEST_CASE(independent_mask_kernels_match_the_reference,
                     bdata::make({GridKind::Signed, GridKind::Unsigned}) * kBits, kind, bits) {
  const GridSpec g = make_grid(kind, bits);
  Pipelines p(g, DropBitsMode::Independent);
  std::mt19937 rng(bits * 17 + static_cast<int>(kind));
  const DropBitsConfig cfg{0.7, DropBitsMode::Independent};
  std::vector<LevelMask> masks{all_levels(bits), static_cast<LevelMask>(0b10)};
  if (bits >= 3) masks.push_back(static_cast<LevelMask>(0b10 | (1u << bits))); // levels 1 and b only
  for (std::uint64_t step = 0; masks.size() < kCases.size(); ++step)
    masks.push_back(draw_dropbits_mask(g, cfg, 42, step, 3));
  check_pipelines(p, g, masks, rng);
}

BOOST_AUTO_TEST_CASE(pipeline_rejects_bad_masks_and_small_windows) {
  const GridSpec g = make_grid(GridKind::Signed, 4);
  Pipelines p(g), pi(g, DropBitsMode::Independent);
  Buffer<float> x(8, 1, 1), grad(8, 1, 1), alpha(1), sigma(1), out(8, 1, 1), gx(8, 1, 1);
  Buffer<uint8_t> codes(8, 1, 1);
  Buffer<double> ga(1), gs(1);
  testing::fill_dense(x, 0.3f), testing::fill_dense(grad, 1.0f), alpha(0) = 0.5f, sigma(0) = 0.5f;
  for (Pipelines *q : {&p, &pi}) {
    q->x.set(x), q->grad.set(grad), q->alpha.set(alpha), q->sigma.set(sigma);
    q->window.set(reference::required_edge_window(g, 1.0));
  }
  p.keep.set(0b10110); // levels 1, 2, 4: not hierarchical
  BOOST_CHECK_THROW(p.forward.realize({out, codes}), Halide::RuntimeError);
  pi.keep.set(0b10110); // fine for the independent kernel
  BOOST_CHECK_NO_THROW(pi.forward.realize({out, codes}));
  pi.keep.set(0b10100); // level 1 dropped
  BOOST_CHECK_THROW(pi.forward.realize({out, codes}), Halide::RuntimeError);
  pi.keep.set(0b100010); // level 5 on a 4-bit grid
  BOOST_CHECK_THROW(pi.forward.realize({out, codes}), Halide::RuntimeError);
  p.keep.set(all_levels(4));
  BOOST_CHECK_NO_THROW(p.forward.realize({out, codes}));
  p.window.set(2); // sigma/alpha = 1 needs 16 edges on a 16-point grid
  BOOST_CHECK_THROW(p.backward.realize({gx, ga, gs}), Halide::RuntimeError);
  BOOST_CHECK_THROW(Pipelines(make_grid(GridKind::Symmetric, 3), DropBitsMode::Independent), std::invalid_argument);
}

namespace {
/// The gated forward and backward of one grid, JIT-compiled once.
struct GatedPipelines {
  codegen::TensorVars v;
  Halide::ImageParam x{Halide::Float(32), 3, "x"}, grad{Halide::Float(32), 3, "grad"};
  Halide::ImageParam alpha{Halide::Float(32), 1, "alpha"}, sigma{Halide::Float(32), 1, "sigma"};
  Halide::ImageParam z{Halide::Float(64), 1, "z"}, dz_dlog_a{Halide::Float(64), 1, "dz_dlog_a"};
  Halide::Param<int32_t> window{"window"};
  Halide::Pipeline forward, backward;

  explicit GatedPipelines(GridSpec g) {
    const codegen::GateInputs gates{z, dz_dlog_a};
    auto fwd = codegen::build_gated_forward(g, v, x, alpha, gates);
    auto bwd = codegen::build_gated_backward(g, v, x, alpha, sigma, gates, window, grad, x.dim(0).extent(),
                                             x.dim(2).extent(), alpha.dim(0).extent());
    schedules::QuantizeLoops fl, bl;
    fl.i = bl.i = v.i, fl.c = bl.c = v.c, fl.n = bl.n = v.n;
    fl.x_hat = fwd.x_hat;
    bl.element = bwd.element, bl.edge_sums = bwd.edge_sums, bl.grad_x = bwd.grad_x;
    bl.element_helpers = bwd.element_helpers;
    bl.per_channel = bwd.per_channel;
    bl.channel_sums = bwd.channel_sums, bl.over_elements = bwd.over_elements, bl.gate_sums = bwd.gate_sums;
    const auto target = Halide::get_jit_target_from_environment();
    schedules::schedule_quantize_forward(fl, target);
    schedules::schedule_quantize_backward(bl, target);
    forward = Halide::Pipeline({fwd.x_hat});
    backward = Halide::Pipeline({bwd.grad_x, bwd.grad_alpha, bwd.grad_sigma, bwd.grad_log_a});
    forward.compile_jit();
    backward.compile_jit();
  }
};
} // namespace

namespace {
void check_gated_pipelines(GridKind kind, int bits, std::uint32_t seed, float sigma_scale) {
  const GridSpec g = make_grid(kind, bits);
  const auto gg = reference::make_gated_grids(g);
  const SurvivingGrid full = make_surviving_grid(g);
  GatedPipelines p(g);
  std::mt19937 rng(seed);
  const std::vector<GateSet> gate_sets = testing::test_gate_sets(bits, kCases.size());
  for (std::size_t index = 0; index < kCases.size(); ++index) {
    const auto &cs = kCases[index];
    const GateSet &gates = gate_sets[index];
    testing::QuantizeData d = testing::make_quantize_data(full, cs, rng, sigma_scale);
    Halide::Runtime::Buffer<double> z(bits - 1), slope(bits - 1);
    for (int l = 2; l <= bits; ++l) z(l - 2) = gates.z(l), slope(l - 2) = gates.level[l - 2].dz_dlog_a;
    p.x.set(Buffer<float>(*d.x.raw_buffer())), p.grad.set(Buffer<float>(*d.grad.raw_buffer()));
    p.alpha.set(Buffer<float>(*d.alpha.raw_buffer())), p.sigma.set(Buffer<float>(*d.sigma.raw_buffer()));
    p.z.set(Buffer<double>(*z.raw_buffer())), p.dz_dlog_a.set(Buffer<double>(*slope.raw_buffer()));
    p.window.set(d.edge_window);
    Halide::Runtime::Buffer<float> x_hat(cs.inner, cs.channels, cs.outer), grad_x(cs.inner, cs.channels, cs.outer);
    Halide::Runtime::Buffer<double> grad_alpha(cs.channels), grad_sigma(cs.channels), grad_log_a(bits - 1);
    std::vector<Buffer<>> fwd_out{Buffer<float>(*x_hat.raw_buffer())};
    p.forward.realize(Halide::Realization(fwd_out));
    std::vector<Buffer<>> bwd_out{Buffer<float>(*grad_x.raw_buffer()), Buffer<double>(*grad_alpha.raw_buffer()),
                                  Buffer<double>(*grad_sigma.raw_buffer()), Buffer<double>(*grad_log_a.raw_buffer())};
    p.backward.realize(Halide::Realization(bwd_out));

    BOOST_TEST_CONTEXT("size " << cs.inner << "x" << cs.channels << "x" << cs.outer << " gates " << index) {
      testing::check_gated(gg, gates, d, x_hat, grad_x, grad_alpha, grad_sigma, grad_log_a);
    }
  }
}
} // namespace

// Gated kernels: binary gates, gates drawn as training draws them, and the
// deterministic evaluation gates, against reference::gated_forward (bit-exact)
// and gated_backward (dL/dx, dL/dalpha, dL/dsigma as above; dL/dlog_a within
// 1e-4 relative plus a floor at float32 resolution of its terms).
BOOST_DATA_TEST_CASE(gated_kernels_match_the_reference,
                     bdata::make({GridKind::Signed, GridKind::Unsigned}) * bdata::xrange(2, 9), kind, bits) {
  check_gated_pipelines(kind, bits, bits * 19 + static_cast<int>(kind), 1.0f);
}

// Narrow noise: the sub-grids' windows short of their edges (the 2-bit
// sub-grid's loop of constant extent 3 masked to 2 steps).
BOOST_DATA_TEST_CASE(gated_kernels_with_narrow_noise_match_the_reference,
                     bdata::make({GridKind::Signed, GridKind::Unsigned}) * bdata::make({3, 4}), kind, bits) {
  check_gated_pipelines(kind, bits, bits * 29 + static_cast<int>(kind), 0.05f);
}

// With binary gates the gated kernel is hierarchical DropBits, bit for bit.
BOOST_AUTO_TEST_CASE(binary_gates_are_hierarchical_dropbits) {
  const GridSpec g = make_grid(GridKind::Signed, 5);
  GatedPipelines gated(g);
  Pipelines plain(g);
  std::mt19937 rng(5);
  const SurvivingGrid full = make_surviving_grid(g);
  testing::QuantizeData d = testing::make_quantize_data(full, {257, 2, 3}, rng);
  Halide::Runtime::Buffer<double> z(4), slope(4);
  slope.fill(0.0);
  for (int open = 0; open <= 4; ++open) {
    for (int k = 0; k < 4; ++k) z(k) = k < open ? 1.0 : 0.0;
    gated.x.set(Buffer<float>(*d.x.raw_buffer())), gated.alpha.set(Buffer<float>(*d.alpha.raw_buffer()));
    gated.z.set(Buffer<double>(*z.raw_buffer())), gated.dz_dlog_a.set(Buffer<double>(*slope.raw_buffer()));
    plain.x.set(Buffer<float>(*d.x.raw_buffer())), plain.alpha.set(Buffer<float>(*d.alpha.raw_buffer()));
    plain.keep.set(static_cast<int32_t>(((1u << (open + 1)) - 1u) << 1));
    Buffer<float> a = gated.forward.realize({257, 2, 3});
    Buffer<float> b(257, 2, 3);
    Buffer<uint8_t> codes(257, 2, 3);
    plain.forward.realize({b, codes});
    bool same = true;
    a.for_each_element([&](int i, int c, int n) { same = same && a(i, c, n) == b(i, c, n); });
    BOOST_TEST(same, "levels 1.." << open + 1 << " open");
  }
}
