//===- test_quantize_halide.cpp - the Halide quantizer against the reference -===//
//
// JIT-compiles the quantize builder (codegen/ops/quantize.h) for every grid
// kind and bit-width and compares it with the scalar reference of kernels/:
// the forward bit-exactly (levels, x_hat, codes), the backward within stated
// tolerances, per tensor and per channel, on awkward sizes, with and without
// hierarchical DropBits masks, and checks the pipeline's own errors.
//
//===----------------------------------------------------------------------===//
#define BOOST_TEST_MODULE quantize_halide
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "codegen/ops/quantize.h"
#include "schedules/quantize.h"
#include "cpq/kernels/quantizer_reference.h"
#include "../unit/printing.h"

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

bool close(double a, double b, double rel, double abs_floor) {
  return std::fabs(a - b) <= rel * std::max(std::fabs(a), std::fabs(b)) + abs_floor;
}

/// The forward and backward pipelines of one grid, JIT-compiled once.
struct Pipelines {
  codegen::TensorVars v;
  Halide::ImageParam x{Halide::Float(32), 3, "x"}, grad{Halide::Float(32), 3, "grad"};
  Halide::ImageParam alpha{Halide::Float(32), 1, "alpha"}, sigma{Halide::Float(32), 1, "sigma"};
  Halide::Param<int32_t> keep{"keep"}, window{"window"};
  Halide::Pipeline forward, backward;

  explicit Pipelines(GridSpec g) {
    auto fwd = codegen::build_quantize_forward(g, v, x, alpha, keep);
    auto bwd = codegen::build_quantize_backward(g, v, x, alpha, sigma, keep, window, grad, x.dim(0).extent(),
                                                x.dim(2).extent());
    // The hand schedules, as shipped (codes are an unscheduled extra output).
    const schedules::QuantizeLoops loops{v.i, v.c, v.n, fwd.x_hat, bwd.element, bwd.edge_sums, bwd.over_edges,
                                         bwd.grad_x, bwd.channel_sums, bwd.grad_alpha, bwd.grad_sigma,
                                         bwd.over_elements};
    const auto target = Halide::get_jit_target_from_environment();
    schedules::schedule_quantize_forward(loops, target);
    schedules::schedule_quantize_backward(loops, target);
    forward = Halide::Pipeline({fwd.x_hat, fwd.code});
    backward = Halide::Pipeline({bwd.grad_x, bwd.grad_alpha, bwd.grad_sigma});
    forward.compile_jit();
    backward.compile_jit();
  }
};

struct Case {
  int inner, channels, outer;
  int size() const { return inner * channels * outer; }
};
} // namespace

BOOST_DATA_TEST_CASE(halide_quantizer_matches_the_reference, kKinds * kBits, kind, bits) {
  const GridSpec g = make_grid(kind, bits);
  Pipelines p(g);
  std::mt19937 rng(bits * 13 + static_cast<int>(kind));
  std::vector<LevelMask> masks{all_levels(bits)};
  if (g.supports_dropbits())
    for (int top = 1; top < bits; ++top) masks.push_back(static_cast<LevelMask>(((1u << top) - 1u) << 1));
  const std::vector<Case> cases{{1, 1, 1}, {3, 1, 1}, {33, 1, 1}, {63, 1, 1}, {1000003, 1, 1},
                                {11, 3, 1}, {7, 3, 5}, {1, 3, 21}};
  int mask_index = 0;
  for (const Case &cs : cases) {
    const LevelMask keep = masks[mask_index++ % masks.size()];
    const SurvivingGrid s = make_surviving_grid(g, keep);
    Buffer<float> x(cs.inner, cs.channels, cs.outer), grad(cs.inner, cs.channels, cs.outer);
    Buffer<float> alpha(cs.channels), sigma(cs.channels);
    for (int c = 0; c < cs.channels; ++c) alpha(c) = 0.2f + 0.35f * c, sigma(c) = alpha(c) * (0.1f + 0.3f * c);
    std::uniform_real_distribution<float> t_dist(s.t[0] - 2.0f, s.t[s.count - 1] + 2.0f), g_dist(-1.0f, 1.0f);
    x.for_each_element([&](int i, int c, int n) {
      x(i, c, n) = alpha(c) * t_dist(rng);
      grad(i, c, n) = g_dist(rng);
    });
    // Some exact grid points and edges.
    for (int k = 0; k < std::min(cs.size(), 2 * s.count - 1); ++k) {
      const int idx = k % cs.inner, c = (k / cs.inner) % cs.channels, n = (k / cs.inner / cs.channels) % cs.outer;
      x(idx, c, n) = alpha(c) * (k % 2 ? s.tau[k / 2 + 1] : s.t[k / 2]);
    }
    double max_ratio = 0;
    for (int c = 0; c < cs.channels; ++c) max_ratio = std::max(max_ratio, double(sigma(c)) / alpha(c));
    p.x.set(x), p.grad.set(grad), p.alpha.set(alpha), p.sigma.set(sigma);
    p.keep.set(keep);
    p.window.set(reference::required_edge_window(g, max_ratio));

    Buffer<float> x_hat(cs.inner, cs.channels, cs.outer), grad_x(cs.inner, cs.channels, cs.outer);
    Buffer<uint8_t> codes(cs.inner, cs.channels, cs.outer);
    Buffer<double> grad_alpha(cs.channels), grad_sigma(cs.channels);
    p.forward.realize({x_hat, codes});
    p.backward.realize({grad_x, grad_alpha, grad_sigma});

    BOOST_TEST_CONTEXT("size " << cs.inner << "x" << cs.channels << "x" << cs.outer << " keep " << keep) {
      std::vector<double> want_alpha(cs.channels), want_sigma(cs.channels), floor_a(cs.channels), floor_s(cs.channels);
      bool forward_ok = true, backward_ok = true;
      x.for_each_element([&](int i, int c, int n) {
        const float xv = x(i, c, n);
        const int q = reference::quantize_level(s, xv, alpha(c));
        forward_ok = forward_ok && x_hat(i, c, n) == reference::dequantize(g, q, alpha(c)) &&
                     codes(i, c, n) == g.code_of_level(q);
        const auto e = reference::backward_fast<double>(s, xv, alpha(c), sigma(c), grad(i, c, n));
        want_alpha[c] += e.dalpha;
        want_sigma[c] += e.dsigma;
        // Floors as in test_quantizer_reference: float32 resolution of the
        // largest term |G| alpha cell / sigma (dx), 10x that for the
        // cancelling sums, scaled by |x/alpha| for dalpha.
        double cell = 0;
        for (int k = 1; k < s.count; ++k) cell = std::max(cell, double(s.t[k]) - double(s.t[k - 1]));
        const double term = std::fabs(grad(i, c, n)) * alpha(c) * std::max(cell, 1.0) / sigma(c);
        floor_a[c] += 1e-6 * (term + std::fabs(grad(i, c, n))) * (1.0 + std::fabs(xv / alpha(c)));
        floor_s[c] += 1e-6 * term;
        if (!close(grad_x(i, c, n), e.dx, 1e-4, 1e-7 * term)) {
          if (backward_ok) BOOST_TEST_MESSAGE("dx at " << i << "," << c << "," << n << ": " << grad_x(i, c, n) << " vs " << e.dx);
          backward_ok = false;
        }
      });
      BOOST_TEST(forward_ok, "forward is bit-exact");
      BOOST_TEST(backward_ok, "dL/dx within 1e-4 relative");
      for (int c = 0; c < cs.channels; ++c) {
        BOOST_TEST(close(grad_alpha(c), want_alpha[c], 1e-4, floor_a[c]), "dalpha " << grad_alpha(c) << " vs " << want_alpha[c]);
        BOOST_TEST(close(grad_sigma(c), want_sigma[c], 1e-4, floor_s[c]), "dsigma " << grad_sigma(c) << " vs " << want_sigma[c]);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(pipeline_rejects_bad_masks_and_small_windows) {
  const GridSpec g = make_grid(GridKind::Signed, 4);
  Pipelines p(g);
  Buffer<float> x(8, 1, 1), grad(8, 1, 1), alpha(1), sigma(1), out(8, 1, 1), gx(8, 1, 1);
  Buffer<uint8_t> codes(8, 1, 1);
  Buffer<double> ga(1), gs(1);
  x.fill(0.3f), grad.fill(1.0f), alpha(0) = 0.5f, sigma(0) = 0.5f;
  p.x.set(x), p.grad.set(grad), p.alpha.set(alpha), p.sigma.set(sigma);
  p.window.set(reference::required_edge_window(g, 1.0));
  p.keep.set(0b10110); // levels 1, 2, 4: not hierarchical
  BOOST_CHECK_THROW(p.forward.realize({out, codes}), Halide::RuntimeError);
  p.keep.set(all_levels(4));
  BOOST_CHECK_NO_THROW(p.forward.realize({out, codes}));
  p.window.set(2); // sigma/alpha = 1 needs 16 edges on a 16-point grid
  BOOST_CHECK_THROW(p.backward.realize({gx, ga, gs}), Halide::RuntimeError);
}
