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

} // namespace

BOOST_DATA_TEST_CASE(halide_quantizer_matches_the_reference, kKinds * kBits, kind, bits) {
  const GridSpec g = make_grid(kind, bits);
  Pipelines p(g);
  std::mt19937 rng(bits * 13 + static_cast<int>(kind));
  std::vector<LevelMask> masks{all_levels(bits)};
  if (g.supports_dropbits())
    for (int top = 1; top < bits; ++top) masks.push_back(static_cast<LevelMask>(((1u << top) - 1u) << 1));
  const std::vector<testing::QuantizeCase> cases{{1, 1, 1},  {3, 1, 1}, {33, 1, 1}, {63, 1, 1},
                                                 {1000003, 1, 1}, {11, 3, 1}, {7, 3, 5}, {1, 3, 21}};
  int mask_index = 0;
  for (const auto &cs : cases) {
    const LevelMask keep = masks[mask_index++ % masks.size()];
    const SurvivingGrid s = make_surviving_grid(g, keep);
    testing::QuantizeData d = testing::make_quantize_data(s, cs, rng);
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
