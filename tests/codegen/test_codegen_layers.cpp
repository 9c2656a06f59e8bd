//===- test_codegen_layers.cpp - every lowered op against the reference ----===//
//
// Each case writes a one-op function of the cpq dialect, lowers it to Halide,
// JIT-compiles it with the hand schedule and compares it with the scalar
// reference (cpq/kernels/layers_reference.h, quantizer_reference.h) on
// random data: awkward sizes, batch 1, stride, padding and group variants.
// Sums of the generated code run in float32 where the reference uses
// float64, hence a relative tolerance (1e-4) with an absolute floor scaled
// by the number of terms.
//
//===----------------------------------------------------------------------===//
#define BOOST_TEST_MODULE codegen_layers
#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include "codegen_harness.h"

#include <algorithm>

#include "cpq/kernels/dropbits.h"
#include "cpq/kernels/gates.h"
#include "cpq/kernels/quantizer_reference.h"
#include "cpq/runtime/training_externs.h"

#include <array>
#include <cmath>
#include <sstream>

using namespace cpq;
using namespace cpq::testing;
namespace bdata = boost::unit_test::data;
using reference::Tensor;

namespace {

void check(const Tensor &got, const Tensor &want, double rel, double abs, const std::string &what) {
  std::string where;
  BOOST_TEST(all_close(got, want, rel, abs, where), what << ": " << where);
}

const ConvCase conv_cases[] = {
    {1, 1, 7, 9, 3, 3, 1, 0, 1}, {3, 2, 8, 8, 4, 3, 1, 1, 1}, {2, 3, 11, 6, 5, 5, 2, 2, 1},
    {2, 4, 9, 9, 6, 3, 2, 1, 2}, {1, 6, 5, 7, 6, 1, 1, 0, 6}, {2, 1, 28, 28, 4, 5, 1, 2, 1},
    // Channels enough for the channel-innermost forms: odd counts (partial
    // vectors), widths that are not a multiple of the register tile, stride.
    {2, 9, 7, 10, 17, 3, 1, 1, 1}, {3, 8, 9, 9, 8, 3, 2, 1, 1}, {1, 16, 5, 13, 40, 5, 1, 2, 1},
    {5, 12, 6, 6, 33, 1, 1, 0, 1},
    // Input gradients of rows of at most 12: summed along dy's columns, the
    // whole row one block (LeNet-5's conv2 in small; odd channels, a width
    // no tile divides, padding; also the 9-, 10- and 6-wide rows above).
    {2, 8, 12, 12, 16, 5, 1, 0, 1}, {3, 11, 7, 9, 9, 5, 1, 1, 1},
    // Wider rows whose windows mostly reach past dy's columns: dy copied
    // with zero columns either side.
    {2, 8, 9, 16, 8, 7, 1, 0, 1},
    // Few terms per output: the width-innermost form, here on rows of whole
    // vectors (the others with few terms, above and below, run over zeros to
    // whole vectors: rows of 7, 8, 24, 28, 37, stride 2).
    {2, 1, 20, 20, 6, 5, 1, 0, 1}, {2, 3, 33, 33, 5, 3, 2, 0, 1},
    // One input channel and many outputs (first layers): the filter gradient
    // in the direct form, blocks of output channels x kernel columns in
    // registers; rows of 24 (half vectors), of 14 with padding (a masked
    // tail), stride 2 and an odd channel count (blocks of one channel).
    {3, 1, 28, 28, 12, 5, 1, 0, 1}, {2, 1, 14, 14, 16, 3, 1, 1, 1}, {2, 1, 10, 9, 11, 3, 2, 1, 1},
    // Input gradients of few input channels (the cases above with fewer
    // than 8): dy copied per image with zeros around it, blocks of whole
    // vectors along the width; also rows of 37 (a block and a part) and 3
    // rows (fewer than a register tile).
    {2, 3, 9, 37, 5, 3, 1, 1, 1}, {3, 2, 3, 17, 7, 3, 1, 2, 1},
    // Few terms per output on rows of several blocks of 16-lane vectors, not
    // whole vectors (100, also at stride 2): the last block runs past the
    // row over zeros in the forward (and in the input gradient at stride 1);
    // the filter gradient's rows are lengthened to 112.
    {1, 1, 4, 100, 6, 3, 1, 1, 1}, {1, 2, 5, 201, 5, 3, 2, 0, 1},
};

} // namespace

BOOST_DATA_TEST_CASE(conv2d_and_both_gradients_match_the_reference, bdata::make(conv_cases), c) {
  std::mt19937 rng(11);
  const int64_t oh = (c.height + 2 * c.pad - c.k) / c.stride + 1, ow = (c.width + 2 * c.pad - c.k) / c.stride + 1;
  const std::vector<int64_t> xs = {c.batch, c.channels, c.height, c.width}, ws = {c.out, c.channels / c.groups, c.k, c.k},
                             ys = {c.batch, c.out, oh, ow};
  std::ostringstream attrs;
  attrs << "{stride = [" << c.stride << ", " << c.stride << "], padding = [" << c.pad << ", " << c.pad
        << "], groups = " << c.groups << "}";
  const std::string X = tensor_type(xs), W = tensor_type(ws, false), B = tensor_type({c.out}, false),
                    Y = tensor_type(ys);
  const std::string mlir =
      "func @f(%x: " + X + ", %w: " + W + ", %b: " + B + ") -> " + Y + " {\n  %y = cpq.conv2d %x, %w, %b " +
      attrs.str() + " : (" + X + ", " + W + ", " + B + ") -> " + Y + "\n  return %y : " + Y + "\n}\n" +
      "func @gi(%dy: " + Y + ", %x: " + X + ", %w: " + W + ") -> " + X + " {\n  %d = cpq.conv2d_grad_input %dy, %x, %w " +
      attrs.str() + " : (" + Y + ", " + X + ", " + W + ") -> " + X + "\n  return %d : " + X + "\n}\n" +
      "func @gf(%dy: " + Y + ", %x: " + X + ", %w: " + W + ") -> (" + W + ", " + B +
      ") {\n  %d = cpq.conv2d_grad_filter %dy, %x, %w " + attrs.str() + " : (" + Y + ", " + X + ", " + W + ") -> " + W +
      "\n  %db = cpq.bias_grad %dy : (" + Y + ") -> " + B + "\n  return %d, %db : " + W + ", " + B + "\n}\n";
  const Tensor x = random_tensor(xs, rng), w = random_tensor(ws, rng), b = random_tensor({c.out}, rng),
               dy = random_tensor(ys, rng);
  reference::Window win{c.k, c.k, c.stride, c.stride, c.pad, c.pad};
  const double terms = double(c.channels / c.groups * c.k * c.k);

  Compiled fwd(mlir, "f");
  fwd.set(0, x), fwd.set(1, w), fwd.set(2, b);
  check(fwd.run(int(c.batch))[0], reference::conv2d(x, w, &b, win, c.groups), 1e-4, 1e-6 * terms, "conv2d");

  Compiled gi(mlir, "gi");
  gi.set(0, dy), gi.set(1, x), gi.set(2, w);
  check(gi.run(int(c.batch))[0], reference::conv2d_grad_input(dy, x, w, win, c.groups), 1e-4, 1e-6 * terms,
        "conv2d_grad_input");

  Compiled gf(mlir, "gf");
  gf.set(0, dy), gf.set(1, x), gf.set(2, w);
  auto filter_outs = gf.run(int(c.batch));
  check(filter_outs[0], reference::conv2d_grad_filter(dy, x, w, win, c.groups), 1e-4,
        1e-6 * double(c.batch * oh * ow), "conv2d_grad_filter");
  // Widths of 8, 4 and 2 lanes (partial sums along the rows) and others.
  check(filter_outs[1], reference::bias_grad(dy), 1e-5, 1e-6, "bias_grad");
}

// Spatial sizes known only at run time (every `?` of a function is its
// batch): a first layer's input gradient takes the direct form (its
// contraction form needs static sizes). The batch comes from a first
// argument of one dimension: a tensor whose own extents constrain each
// other makes a reference cycle inside Halide's parameters (LeakSanitizer).
BOOST_AUTO_TEST_CASE(an_input_gradient_of_run_time_sizes_matches_the_reference) {
  std::mt19937 rng(5);
  const std::vector<int64_t> xs = {7, 1, 7, 7}, ws = {4, 1, 3, 3}, ys = {7, 4, 7, 7};
  const std::string mlir =
      "func @gi(%n: tensor<?xf32>, %dy: tensor<?x4x?x?xf32>, %x: tensor<?x1x?x?xf32>, %w: tensor<4x1x3x3xf32>) "
      "-> tensor<?x1x?x?xf32> {\n"
      "  %d = cpq.conv2d_grad_input %dy, %x, %w {stride = [1, 1], padding = [1, 1], groups = 1} : "
      "(tensor<?x4x?x?xf32>, tensor<?x1x?x?xf32>, tensor<4x1x3x3xf32>) -> tensor<?x1x?x?xf32>\n"
      "  return %d : tensor<?x1x?x?xf32>\n}\n";
  const Tensor x = random_tensor(xs, rng), w = random_tensor(ws, rng), dy = random_tensor(ys, rng);
  Compiled gi(mlir, "gi");
  gi.set(0, random_tensor({7}, rng)), gi.set(1, dy), gi.set(2, x), gi.set(3, w);
  Halide::Buffer<float> out(7, 7, 1, 7);
  gi.pipeline.realize(out);
  check(from_buffer(out), reference::conv2d_grad_input(dy, x, w, reference::Window{3, 3, 1, 1, 1, 1}, 1), 1e-4,
        1e-6 * 36, "conv2d_grad_input, run-time sizes");
}

// 24 inputs and 5 outputs: the input gradient's blocks of 8-lane vectors
// fused with its rows, a block's vector count varying with the row.
// 1024 inputs: rows 4 KiB apart, whose register tiles the x86 schedule
// keeps to a few rows (a batch of 37 leaves a partial tile). 80 and 1024
// inputs, whole multiples of 16, take the dot-product forward pass (blocks
// of 1, 2 and 4 outputs; batches of fewer rows than a block).
BOOST_DATA_TEST_CASE(dense_and_its_gradients_match_the_reference,
                     bdata::make({1, 3, 37}) * bdata::make({1, 7, 24, 33, 80, 1024}) * bdata::make({5, 10, 40}), batch, in,
                     out) {
  std::mt19937 rng(batch * 100 + in);
  const std::string X = tensor_type({batch, in}), W = tensor_type({out, in}, false), B = tensor_type({out}, false),
                    Y = tensor_type({batch, out});
  const std::string mlir =
      "func @f(%x: " + X + ", %w: " + W + ", %b: " + B + ") -> " + Y + " {\n  %y = cpq.dense %x, %w, %b : (" + X +
      ", " + W + ", " + B + ") -> " + Y + "\n  return %y : " + Y + "\n}\n" + "func @g(%dy: " + Y + ", %x: " + X +
      ", %w: " + W + ") -> (" + X + ", " + W + ", " + B + ") {\n" + "  %dx = cpq.dense_grad_input %dy, %w : (" + Y +
      ", " + W + ") -> " + X + "\n  %dw = cpq.dense_grad_weight %dy, %x : (" + Y + ", " + X + ") -> " + W +
      "\n  %db = cpq.bias_grad %dy : (" + Y + ") -> " + B + "\n  return %dx, %dw, %db : " + X + ", " + W + ", " + B +
      "\n}\n";
  const Tensor x = random_tensor({batch, in}, rng), w = random_tensor({out, in}, rng), b = random_tensor({out}, rng),
               dy = random_tensor({batch, out}, rng);
  Compiled f(mlir, "f");
  f.set(0, x), f.set(1, w), f.set(2, b);
  check(f.run(batch)[0], reference::dense(x, w, &b), 1e-4, 1e-6 * in, "dense");
  Compiled g(mlir, "g");
  g.set(0, dy), g.set(1, x), g.set(2, w);
  auto outs = g.run(batch);
  check(outs[0], reference::dense_grad_input(dy, w), 1e-4, 1e-6 * out, "dense_grad_input");
  check(outs[1], reference::dense_grad_weight(dy, x), 1e-4, 1e-6 * batch, "dense_grad_weight");
  check(outs[2], reference::bias_grad(dy), 1e-5, 1e-6, "bias_grad");
  // Returned and read by nothing else, a contraction's result is computed in
  // the function's output; returned twice, or read by another op too, it is
  // computed once and copied to each output (checked at one batch, each
  // shape: a JIT compile more).
  if (batch != 37) return;
  const bool in_place = std::any_of(f.lowered.stages.begin(), f.lowered.stages.end(),
                                    [](const auto &s) { return s.contraction && s.contraction->output.defined(); });
  BOOST_TEST(in_place);
  const std::string shared = "func @h(%x: " + X + ", %w: " + W + ", %b: " + B + ") -> (" + Y + ", " + Y + ", " + Y +
                             ") {\n  %y = cpq.dense %x, %w, %b : (" + X + ", " + W + ", " + B + ") -> " + Y +
                             "\n  %r = cpq.relu %y : " + Y + "\n  return %y, %r, %y : " + Y + ", " + Y + ", " + Y +
                             "\n}\n";
  Compiled h(shared, "h");
  h.set(0, x), h.set(1, w), h.set(2, b);
  for (const auto &s : h.lowered.stages) BOOST_TEST(!(s.contraction && s.contraction->output.defined()));
  auto shared_outs = h.run(batch);
  const Tensor y = reference::dense(x, w, &b);
  Tensor r = y;
  for (float &v : r.data) v = std::max(v, 0.0f);
  check(shared_outs[0], y, 1e-4, 1e-6 * in, "dense returned twice (first)");
  check(shared_outs[1], r, 1e-4, 1e-6 * in, "relu of a returned dense");
  check(shared_outs[2], y, 1e-4, 1e-6 * in, "dense returned twice (second)");
}

struct PoolCase {
  int64_t batch, channels, height, width, k, stride, pad;
};
std::ostream &operator<<(std::ostream &os, const PoolCase &c) {
  return os << "N" << c.batch << " C" << c.channels << " " << c.height << "x" << c.width << " k" << c.k << " s"
            << c.stride << " p" << c.pad;
}
static const PoolCase pool_cases[] = {
    {1, 1, 8, 8, 2, 2, 0}, {3, 2, 7, 9, 2, 2, 0}, {2, 3, 9, 9, 3, 2, 1}, {2, 2, 6, 5, 3, 1, 1}, {1, 4, 7, 7, 7, 7, 0},
    // Rows that are not whole vectors take narrower, shifted vectors (LeNet-5's
    // 24 -> 12); rows narrower than 4 keep guarded ones.
    {2, 3, 24, 24, 2, 2, 0}, {2, 2, 6, 3, 2, 1, 0},
};

BOOST_DATA_TEST_CASE(pooling_and_its_gradients_match_the_reference, bdata::make(pool_cases), c) {
  std::mt19937 rng(7);
  const int64_t oh = (c.height + 2 * c.pad - c.k) / c.stride + 1, ow = (c.width + 2 * c.pad - c.k) / c.stride + 1;
  const std::vector<int64_t> xs = {c.batch, c.channels, c.height, c.width}, ys = {c.batch, c.channels, oh, ow};
  const std::string X = tensor_type(xs), Y = tensor_type(ys);
  std::ostringstream a;
  a << "{kernel = [" << c.k << ", " << c.k << "], stride = [" << c.stride << ", " << c.stride << "], padding = ["
    << c.pad << ", " << c.pad << "]}";
  std::string mlir;
  for (std::string pool : {"maxpool2d", "avgpool2d"})
    mlir += "func @" + pool + "(%x: " + X + ", %dy: " + Y + ") -> (" + Y + ", " + X + ") {\n  %y = cpq." + pool +
            " %x " + a.str() + " : (" + X + ") -> " + Y + "\n  %d = cpq." + pool + "_grad %dy, %x " + a.str() + " : (" +
            Y + ", " + X + ") -> " + X + "\n  return %y, %d : " + Y + ", " + X + "\n}\n";
  // Distinct values, so the maximum of a window is unique.
  Tensor x = random_tensor(xs, rng);
  for (std::size_t k = 0; k < x.data.size(); ++k) x.data[k] += 1e-3f * float(k % 97);
  const Tensor dy = random_tensor(ys, rng);
  const reference::Window win{c.k, c.k, c.stride, c.stride, c.pad, c.pad};
  Compiled mp(mlir, "maxpool2d");
  mp.set(0, x), mp.set(1, dy);
  auto m = mp.run(int(c.batch));
  check(m[0], reference::maxpool2d(x, win), 0, 0, "maxpool2d");
  check(m[1], reference::maxpool2d_grad(dy, x, win), 1e-6, 1e-6, "maxpool2d_grad");
  Compiled ap(mlir, "avgpool2d");
  ap.set(0, x), ap.set(1, dy);
  auto v = ap.run(int(c.batch));
  check(v[0], reference::avgpool2d(x, win), 1e-5, 1e-6, "avgpool2d");
  check(v[1], reference::avgpool2d_grad(dy, x, win), 1e-5, 1e-6, "avgpool2d_grad");
}

BOOST_AUTO_TEST_CASE(elementwise_and_layout_ops_match_the_reference) {
  std::mt19937 rng(3);
  const std::vector<int64_t> xs = {3, 2, 5, 7};
  const std::string X = tensor_type(xs), F = tensor_type({3, 70});
  const std::string mlir = "func @f(%a: " + X + ", %b: " + X + ", %dy: " + X + ", %df: " + F + ") -> (" + X + ", " + X +
                           ", " + X + ", " + F + ", " + X + ") {\n" + "  %r = cpq.relu %a : " + X +
                           "\n  %g = cpq.relu_grad %dy, %a : (" + X + ", " + X + ") -> " + X + "\n  %s = cpq.add %a, %b : " +
                           X + "\n  %f = cpq.flatten %a : (" + X + ") -> " + F + "\n  %u = cpq.flatten_grad %df, %a : (" +
                           F + ", " + X + ") -> " + X + "\n  return %r, %g, %s, %f, %u : " + X + ", " + X + ", " + X +
                           ", " + F + ", " + X + "\n}\n";
  const Tensor a = random_tensor(xs, rng), b = random_tensor(xs, rng), dy = random_tensor(xs, rng),
               df = random_tensor({3, 70}, rng);
  Compiled f(mlir);
  f.set(0, a), f.set(1, b), f.set(2, dy), f.set(3, df);
  auto o = f.run(3);
  check(o[0], reference::relu(a), 0, 0, "relu");
  check(o[1], reference::relu_grad(dy, a), 0, 0, "relu_grad");
  check(o[2], reference::add(a, b), 0, 0, "add");
  check(o[3], reference::flatten(a), 0, 0, "flatten");
  Tensor unflat = df;
  unflat.shape = xs;
  check(o[4], unflat, 0, 0, "flatten_grad");
}

BOOST_DATA_TEST_CASE(batch_norm_in_both_modes_and_its_gradient_match_the_reference, bdata::make({2, 4}), rank) {
  std::mt19937 rng(rank);
  const std::vector<int64_t> xs = rank == 4 ? std::vector<int64_t>{3, 5, 4, 3} : std::vector<int64_t>{7, 5};
  const std::string X = tensor_type(xs), C = tensor_type({5}, false);
  const std::string mlir =
      "func @f(%x: " + X + ", %g: " + C + ", %b: " + C + ", %m: " + C + ", %v: " + C + ", %dy: " + X + ") -> (" + X +
      ", " + C + ", " + C + ", " + C + ", " + C + ", " + X + ", " + X + ", " + C + ", " + C + ") {\n" +
      "  %y, %bm, %bi, %nm, %nv = cpq.batch_norm_train %x, %g, %b, %m, %v {epsilon = 1.0e-3, momentum = 0.2} : (" + X +
      ", " + C + ", " + C + ", " + C + ", " + C + ") -> (" + X + ", " + C + ", " + C + ", " + C + ", " + C + ")\n" +
      "  %e = cpq.batch_norm %x, %g, %b, %m, %v {epsilon = 1.0e-3} : (" + X + ", " + C + ", " + C + ", " + C + ", " +
      C + ") -> " + X + "\n" + "  %dx, %dg, %db = cpq.batch_norm_grad %dy, %x, %g, %bm, %bi : (" + X + ", " + X +
      ", " + C + ", " + C + ", " + C + ") -> (" + X + ", " + C + ", " + C + ")\n" +
      "  return %y, %bm, %bi, %nm, %nv, %e, %dx, %dg, %db : " + X + ", " + C + ", " + C + ", " + C + ", " + C + ", " +
      X + ", " + X + ", " + C + ", " + C + "\n}\n";
  const Tensor x = random_tensor(xs, rng, -2, 3), g = random_tensor({5}, rng, 0.5, 2), b = random_tensor({5}, rng),
               m = random_tensor({5}, rng), v = random_tensor({5}, rng, 0.5, 2), dy = random_tensor(xs, rng);
  Compiled f(mlir);
  f.set(0, x), f.set(1, g), f.set(2, b), f.set(3, m), f.set(4, v), f.set(5, dy);
  auto o = f.run(int(xs[0]));
  auto t = reference::batch_norm_train(x, g, b, m, v, 1e-3, 0.2);
  check(o[0], t.y, 1e-5, 1e-6, "y");
  check(o[1], t.batch_mean, 1e-5, 1e-6, "batch_mean");
  check(o[2], t.batch_inv_std, 1e-5, 1e-6, "batch_inv_std");
  check(o[3], t.new_mean, 1e-5, 1e-6, "new_mean");
  check(o[4], t.new_variance, 1e-5, 1e-6, "new_variance");
  check(o[5], reference::batch_norm(x, g, b, m, v, 1e-3), 1e-5, 1e-6, "batch_norm");
  auto gr = reference::batch_norm_grad(dy, x, g, t.batch_mean, t.batch_inv_std);
  check(o[6], gr.dx, 1e-4, 1e-5, "dx");
  check(o[7], gr.dgamma, 1e-5, 1e-6, "dgamma");
  check(o[8], gr.dbeta, 1e-5, 1e-6, "dbeta");
}

BOOST_DATA_TEST_CASE(softmax_cross_entropy_and_its_gradient_match_the_reference, bdata::make({1, 5, 64}), batch) {
  std::mt19937 rng(batch);
  const std::string L = tensor_type({batch, 10}), Y = tensor_type({batch}, true, "i32");
  const std::string mlir = "func @f(%l: " + L + ", %y: " + Y + ") -> (tensor<f32>, tensor<i32>, " + L + ") {\n" +
                           "  %loss, %c = cpq.softmax_cross_entropy %l, %y : (" + L + ", " + Y +
                           ") -> (tensor<f32>, tensor<i32>)\n  %g = cpq.softmax_cross_entropy_grad %l, %y : (" + L +
                           ", " + Y + ") -> " + L + "\n  return %loss, %c, %g : tensor<f32>, tensor<i32>, " + L + "\n}\n";
  const Tensor logits = random_tensor({batch, 10}, rng, -4, 4);
  std::vector<int32_t> labels(static_cast<std::size_t>(batch));
  for (auto &l : labels) l = int32_t(rng() % 10);
  Compiled f(mlir);
  f.set(0, logits);
  f.set_labels(1, labels);
  auto o = f.run(batch);
  const auto want = reference::softmax_cross_entropy(logits, labels);
  BOOST_TEST(std::fabs(o[0].data[0] - want.loss) <= 1e-5 * std::fabs(want.loss) + 1e-6);
  BOOST_TEST(f.ints.at(0) == want.correct);
  check(o[2], reference::softmax_cross_entropy_grad(logits, labels), 1e-5, 1e-7, "softmax_cross_entropy_grad");
}

BOOST_AUTO_TEST_CASE(optimizer_updates_match_the_reference) {
  std::mt19937 rng(5);
  const std::string P = tensor_type({3, 4}, false);
  const std::string mlir =
      "func @f(%p: " + P + ", %g: " + P + ", %m: " + P + ", %v: " + P + ", %lr: f32, %t: i64, %a: " + P + ") -> (" +
      P + ", " + P + ", " + P + ", " + P + ", " + P + ", " + P + ", " + P + ", " + P + ", " + P + ", " + P + ", " + P +
      ", " + P + ", " + P + ", " + P + ") {\n" +
      "  %p1, %m1 = cpq.sgd_update %p, %g, %m, %lr {momentum = 0.8, weight_decay = 0.01} : (" + P + ", " + P + ", " +
      P + ", f32) -> (" + P + ", " + P + ")\n" +
      "  %p2, %m2 = cpq.sgd_update %p, %g, %m, %lr {momentum = 0.8, weight_decay = 0.01, nesterov} : (" + P + ", " +
      P + ", " + P + ", f32) -> (" + P + ", " + P + ")\n" +
      "  %p3, %m3, %v3 = cpq.adam_update %p, %g, %m, %v, %lr, %t {weight_decay = 0.05} : (" + P + ", " + P + ", " + P +
      ", " + P + ", f32, i64) -> (" + P + ", " + P + ", " + P + ")\n" +
      // Projected steps: about half the elements end below the bound.
      "  %p4, %m4 = cpq.sgd_update %p, %g, %m, %lr {momentum = 0.8, lower_bound = 0.0} : (" + P + ", " + P + ", " + P +
      ", f32) -> (" + P + ", " + P + ")\n" +
      "  %p5, %m5, %v5 = cpq.adam_update %p, %g, %m, %v, %lr, %t {lower_bound = -0.1} : (" + P + ", " + P + ", " + P +
      ", " + P + ", f32, i64) -> (" + P + ", " + P + ", " + P + ")\n" +
      // Relative steps (in log(param)) of positive scales.
      "  %p6, %m6 = cpq.sgd_update %a, %g, %m, %lr {momentum = 0.8, nesterov, relative} : (" + P + ", " + P + ", " + P +
      ", f32) -> (" + P + ", " + P + ")\n" +
      "  %p7, %m7, %v7 = cpq.adam_update %a, %g, %m, %v, %lr, %t {relative, lower_bound = 0.3} : (" + P + ", " + P +
      ", " + P + ", " + P + ", f32, i64) -> (" + P + ", " + P + ", " + P + ")\n" +
      "  return %p1, %m1, %p2, %m2, %p3, %m3, %v3, %p4, %p5, %p6, %m6, %p7, %m7, %v7 : " + P + ", " + P + ", " + P +
      ", " + P + ", " + P + ", " + P + ", " + P + ", " + P + ", " + P + ", " + P + ", " + P + ", " + P + ", " + P + ", " +
      P + "\n}\n";
  const Tensor p = random_tensor({3, 4}, rng), g = random_tensor({3, 4}, rng), m = random_tensor({3, 4}, rng),
               v = random_tensor({3, 4}, rng, 0.1f, 1.0f), a = random_tensor({3, 4}, rng, 0.25f, 2.0f);
  Compiled f(mlir);
  f.set(0, p), f.set(1, g), f.set(2, m), f.set(3, v);
  f.set_scalar(4, 0.05f);
  f.set_scalar(5, int64_t(6));
  f.set(6, a);
  auto o = f.run(1);
  Tensor p1 = p, m1 = m, p2 = p, m2 = m, p3 = p, m3 = m, v3 = v, p4 = p, m4 = m, p5 = p, m5 = m, v5 = v;
  Tensor p6 = a, m6 = m, p7 = a, m7 = m, v7 = v;
  for (std::size_t k = 0; k < p.data.size(); ++k) {
    reference::sgd_update(p1.data[k], g.data[k], m1.data[k], 0.05f, 0.8, 0.01, false);
    reference::sgd_update(p2.data[k], g.data[k], m2.data[k], 0.05f, 0.8, 0.01, true);
    reference::adam_update(p3.data[k], g.data[k], m3.data[k], v3.data[k], 0.05f, 6, 0.9, 0.999, 1e-8, 0.05);
    reference::sgd_update(p4.data[k], g.data[k], m4.data[k], 0.05f, 0.8, 0.0, false, 0.0);
    reference::adam_update(p5.data[k], g.data[k], m5.data[k], v5.data[k], 0.05f, 6, 0.9, 0.999, 1e-8, 0.0, -0.1);
    reference::sgd_update(p6.data[k], g.data[k], m6.data[k], 0.05f, 0.8, 0.0, true, -HUGE_VAL, true);
    reference::adam_update(p7.data[k], g.data[k], m7.data[k], v7.data[k], 0.05f, 6, 0.9, 0.999, 1e-8, 0.0, 0.3, true);
    // A relative step keeps the sign and moves by a fraction of the value.
    BOOST_TEST(p6.data[k] > 0.0f);
    BOOST_TEST(std::fabs(std::log(double(p7.data[k]) / double(std::max(a.data[k], 0.3f)))) <= 0.06);
  }
  int bounded = 0;
  for (std::size_t k = 0; k < p.data.size(); ++k) bounded += p4.data[k] == 0.0f;
  BOOST_TEST(bounded > 0); // the bound is met, not vacuous
  check(o[0], p1, 1e-6, 1e-7, "sgd param"), check(o[1], m1, 1e-6, 1e-7, "sgd momentum");
  check(o[2], p2, 1e-6, 1e-7, "nesterov param"), check(o[3], m2, 1e-6, 1e-7, "nesterov momentum");
  check(o[4], p3, 1e-5, 1e-7, "adam param"), check(o[5], m3, 1e-6, 1e-7, "adam m");
  check(o[6], v3, 1e-6, 1e-7, "adam v");
  check(o[7], p4, 1e-6, 1e-7, "bounded sgd param"), check(o[8], p5, 1e-5, 1e-7, "bounded adam param");
  check(o[9], p6, 1e-5, 1e-7, "relative sgd param"), check(o[10], m6, 1e-6, 1e-7, "relative sgd momentum");
  check(o[11], p7, 1e-5, 1e-7, "relative adam param"), check(o[12], m7, 1e-6, 1e-7, "relative adam m");
  check(o[13], v7, 1e-6, 1e-7, "relative adam v");
}

BOOST_AUTO_TEST_CASE(lr_scale_multiplies_the_rate_of_one_update) {
  // The gates' own rate (--gate-lr-scale): the update with lr_scale 4 at lr
  // 0.05 is the reference's update at lr 0.2, for Adam and SGD.
  std::mt19937 rng(9);
  const std::string P = tensor_type({5, 3}, false);
  const std::string mlir =
      "func @f(%p: " + P + ", %g: " + P + ", %m: " + P + ", %v: " + P + ", %lr: f32, %t: i64) -> (" + P + ", " + P +
      ", " + P + ", " + P + ", " + P + ") {\n" +
      "  %p1, %m1, %v1 = cpq.adam_update %p, %g, %m, %v, %lr, %t {lr_scale = 4.0} : (" + P + ", " + P + ", " + P + ", " +
      P + ", f32, i64) -> (" + P + ", " + P + ", " + P + ")\n" +
      "  %p2, %m2 = cpq.sgd_update %p, %g, %m, %lr {momentum = 0.8, lr_scale = 4.0} : (" + P + ", " + P + ", " + P +
      ", f32) -> (" + P + ", " + P + ")\n" +
      "  return %p1, %m1, %v1, %p2, %m2 : " + P + ", " + P + ", " + P + ", " + P + ", " + P + "\n}\n";
  const Tensor p = random_tensor({5, 3}, rng), g = random_tensor({5, 3}, rng), m = random_tensor({5, 3}, rng),
               v = random_tensor({5, 3}, rng, 0.1f, 1.0f);
  Compiled f(mlir);
  f.set(0, p), f.set(1, g), f.set(2, m), f.set(3, v);
  f.set_scalar(4, 0.05f);
  f.set_scalar(5, int64_t(3));
  auto o = f.run(1);
  Tensor p1 = p, m1 = m, v1 = v, p2 = p, m2 = m;
  for (std::size_t k = 0; k < p.data.size(); ++k) {
    reference::adam_update(p1.data[k], g.data[k], m1.data[k], v1.data[k], 0.2f, 3, 0.9, 0.999, 1e-8, 0.0);
    reference::sgd_update(p2.data[k], g.data[k], m2.data[k], 0.2f, 0.8, 0.0, false);
  }
  check(o[0], p1, 1e-5, 1e-7, "adam param"), check(o[1], m1, 1e-6, 1e-7, "adam m"), check(o[2], v1, 1e-6, 1e-7, "adam v");
  check(o[3], p2, 1e-5, 1e-7, "sgd param"), check(o[4], m2, 1e-6, 1e-7, "sgd momentum");
  // And it is not the unscaled update.
  Tensor p0 = p, m0 = m, v0 = v;
  for (std::size_t k = 0; k < p.data.size(); ++k)
    reference::adam_update(p0.data[k], g.data[k], m0.data[k], v0.data[k], 0.05f, 3, 0.9, 0.999, 1e-8, 0.0);
  double diff = 0;
  for (std::size_t k = 0; k < p.data.size(); ++k) diff = std::max(diff, double(std::fabs(p0.data[k] - p1.data[k])));
  BOOST_TEST(diff > 1e-2);
}

/// The outputs of a quantize / quantize_train / quantize_grad function
/// against the reference's: forwards bit-exact, gradients within 1e-4.
template <typename Outputs>
void check_quantizer(const Outputs &o, const std::array<Tensor, 5> &want, const std::string &prefix) {
  check(o[0], want[0], 0, 0, prefix + "quantize (evaluation)");
  check(o[1], want[1], 0, 0, prefix + "quantize_train");
  check(o[2], want[2], 1e-4, 1e-5, prefix + "quantize_grad dx");
  check(o[3], want[3], 1e-4, 1e-4, prefix + "quantize_grad dalpha");
  check(o[4], want[4], 1e-4, 1e-4, prefix + "quantize_grad dsigma");
}

struct QuantCase {
  const char *grid;
  int bits;
  double p;
  const char *mode;
  bool per_channel;
  float sigma_ratio = 0.3f; ///< sigma / alpha
  /// Rows of 8 or more (the last axis) take the schedules' row-wise loops
  /// (QuantizeLoops::row_extent): a whole vector, a vector shifted inwards
  /// (9, 12, 40 = 16 + 16 + 8), two unrolled ones (24).
  std::vector<int64_t> shape = {4, 3, 5, 3};
  /// sigma / alpha of channel k is sigma_ratio * sigma_spread^k: channels of
  /// one tensor then take edge windows of different lengths (the short one
  /// of a narrow channel, the loop over every edge of a wide one).
  float sigma_spread = 1.0f;
};
std::ostream &operator<<(std::ostream &os, const QuantCase &c) {
  return os << c.grid << " b" << c.bits << " p" << c.p << " " << c.mode << (c.per_channel ? " per-channel" : "")
            << " sigma/alpha " << c.sigma_ratio << " shape " << c.shape[0] << "x" << c.shape[1] << "x" << c.shape[2]
            << "x" << c.shape[3] << (c.sigma_spread != 1.0f ? " spread " + std::to_string(c.sigma_spread) : "");
}
static const QuantCase quant_cases[] = {
    {"signed", 2, 0.0, "hierarchical", true},  {"signed", 4, 0.5, "hierarchical", true},
    {"unsigned", 3, 0.5, "hierarchical", false}, {"unsigned", 8, 0.3, "independent", false},
    {"symmetric", 1, 0.0, "hierarchical", true}, {"signed", 5, 0.6, "independent", true},
    // Noise wider than a fixed window of 24 edges would reach (8-bit weights
    // whose alpha shrank): the window follows the scales.
    {"signed", 8, 0.0, "hierarchical", true, 3.0f}, {"unsigned", 7, 0.4, "independent", false, 2.5f},
    {"unsigned", 2, 0.5, "hierarchical", false, 0.3f, {2, 3, 5, 12}},
    {"signed", 2, 0.0, "hierarchical", true, 0.3f, {4, 2, 3, 9}},
    {"unsigned", 4, 0.5, "independent", false, 0.3f, {2, 2, 2, 24}},
    {"signed", 2, 0.5, "hierarchical", true, 0.3f, {4, 1, 2, 40}},
    {"unsigned", 2, 0.0, "hierarchical", false, 0.3f, {3, 2, 1, 8}},
    // One image of 24 elements, one chunk: its sums once split past the end,
    // and Halide dropped the whole pipeline (outputs unwritten).
    {"unsigned", 4, 0.3, "hierarchical", false, 0.3f, {1, 2, 2, 6}},
    // Channels of sigma / alpha 0.2, 0.8, 3.2, 12.8: windows of 5 edges a
    // side, then every edge; 8 bits: 5, 17, 65, 257 (capped at 255) edges.
    {"signed", 4, 0.0, "hierarchical", true, 0.2f, {4, 3, 5, 3}, 4.0f},
    {"signed", 4, 0.5, "hierarchical", true, 0.2f, {4, 2, 2, 17}, 4.0f},
    {"signed", 8, 0.3, "hierarchical", true, 0.2f, {4, 3, 5, 3}, 4.0f},
};

BOOST_DATA_TEST_CASE(quantizer_ops_match_the_scalar_reference_with_the_same_masks, bdata::make(quant_cases), c) {
  std::mt19937 rng(c.bits);
  const std::vector<int64_t> xs = c.shape;
  const int channels = c.per_channel ? int(xs[0]) : 1;
  const std::string X = tensor_type(xs, false), A = tensor_type({channels}, false);
  std::ostringstream a;
  a << "grid = \"" << c.grid << "\", bits = " << c.bits << (c.per_channel ? ", axis = 0" : "");
  std::ostringstream t;
  t << a.str() << ", dropbits_p = " << std::showpoint << c.p << ", dropbits = \"" << c.mode << "\", tensor_id = 7";
  const std::string mlir =
      "func @f(%x: " + X + ", %a: " + A + ", %s: " + A + ", %dy: " + X + ", %seed: i64, %step: i64) -> (" + X + ", " +
      X + ", " + X + ", " + A + ", " + A + ") {\n" + "  %e = cpq.quantize %x, %a, %s {" + a.str() + "} : (" + X + ", " +
      A + ", " + A + ") -> " + X + "\n" + "  %q = cpq.quantize_train %x, %a, %s, %seed, %step {" + t.str() + "} : (" +
      X + ", " + A + ", " + A + ", i64, i64) -> " + X + "\n" +
      "  %dx, %da, %ds = cpq.quantize_grad %dy, %x, %a, %s, %seed, %step {" + t.str() + "} : (" + X + ", " + X + ", " +
      A + ", " + A + ", i64, i64) -> (" + X + ", " + A + ", " + A + ")\n" + "  return %e, %q, %dx, %da, %ds : " + X +
      ", " + X + ", " + X + ", " + A + ", " + A + "\n}\n";
  const Tensor x = random_tensor(xs, rng, -1.5f, 1.5f), dy = random_tensor(xs, rng);
  Tensor alpha({channels}), sigma({channels});
  for (int k = 0; k < channels; ++k)
    alpha.data[k] = (c.bits >= 7 ? 0.01f : 0.2f) + 0.05f * float(k), sigma.data[k] = alpha.data[k] * c.sigma_ratio * std::pow(c.sigma_spread, float(k));
  Compiled f(mlir);
  f.set(0, x), f.set(1, alpha), f.set(2, sigma), f.set(3, dy);
  const int64_t seed = 1234, step = 56;
  f.set_scalar(4, seed), f.set_scalar(5, step);
  auto o = f.run(4);

  const std::string grid = c.grid;
  const GridSpec g = make_grid(grid == "signed" ? GridKind::Signed : grid == "unsigned" ? GridKind::Unsigned
                                                                                        : GridKind::Symmetric,
                               c.bits);
  const DropBitsConfig cfg{c.p, std::string(c.mode) == "independent" ? DropBitsMode::Independent
                                                                      : DropBitsMode::Hierarchical};
  const LevelMask keep = draw_dropbits_mask(g, cfg, seed, step, 7);
  BOOST_TEST(cpq_dropbits_mask(int(g.kind), c.bits, c.p, std::string(c.mode) == "independent", seed, step, 7) == keep);
  const SurvivingGrid full = make_surviving_grid(g), drawn = make_surviving_grid(g, keep);
  const int64_t per = x.elements() / channels;
  Tensor e(xs), q(xs), dx(xs), da({channels}), ds({channels});
  std::vector<double> sa(std::size_t(channels), 0.0), ss(std::size_t(channels), 0.0);
  for (int64_t k = 0; k < x.elements(); ++k) {
    const int ch = c.per_channel ? int(k / per) : 0;
    const float al = alpha.data[ch], si = sigma.data[ch];
    e.data[k] = reference::dequantize(g, reference::quantize_level(full, x.data[k], al), al);
    q.data[k] = reference::dequantize(g, reference::quantize_level(drawn, x.data[k], al), al);
    const auto grad = reference::backward_fast(drawn, x.data[k], al, si, dy.data[k]);
    dx.data[k] = float(grad.dx);
    sa[ch] += grad.dalpha, ss[ch] += grad.dsigma;
  }
  for (int ch = 0; ch < channels; ++ch) da.data[ch] = float(sa[ch]), ds.data[ch] = float(ss[ch]);
  check_quantizer(o, {e, q, dx, da, ds}, "");
}

namespace {
struct GatedCase {
  const char *grid;
  int bits;
  bool per_channel;
  double lambda;
  /// Rows of 24 and 12 take the backward's copied-row loop (rows not whole
  /// vectors), with one edge loop per sub-grid.
  std::vector<int64_t> shape = {4, 3, 5, 3};
  /// sigma / alpha of channel k is sigma_ratio * sigma_spread^k: channels of
  /// one tensor then take edge windows of different lengths (the short one
  /// of a narrow channel, the loop over every edge of a wide one).
  float sigma_spread = 1.0f;
};
std::ostream &operator<<(std::ostream &os, const GatedCase &c) {
  return os << c.grid << " b" << c.bits << (c.per_channel ? " per-channel" : "") << " lambda " << c.lambda
            << " shape " << c.shape[0] << "x" << c.shape[1] << "x" << c.shape[2] << "x" << c.shape[3];
}
const GatedCase gated_cases[] = {
    {"signed", 3, true, 0.0},
    {"unsigned", 4, false, 0.01},
    {"signed", 2, false, 0.5},
    {"unsigned", 8, true, 0.001},
    {"unsigned", 4, false, 0.01, {2, 3, 2, 24}},
    {"signed", 3, true, 0.0, {4, 2, 3, 12}},
};
} // namespace

BOOST_DATA_TEST_CASE(gated_quantizer_ops_match_the_scalar_reference_with_the_same_gates, bdata::make(gated_cases),
                     c) {
  std::mt19937 rng(100 + c.bits);
  const std::vector<int64_t> xs = c.shape;
  const int channels = c.per_channel ? int(xs[0]) : 1;
  const std::string X = tensor_type(xs, false), A = tensor_type({channels}, false), G = tensor_type({c.bits - 1}, false);
  std::ostringstream a;
  a << "grid = \"" << c.grid << "\", bits = " << c.bits << (c.per_channel ? ", axis = 0" : "")
    << ", gate_lambda = " << std::showpoint << c.lambda;
  const std::string t = a.str() + ", tensor_id = 7";
  const std::string mlir =
      "func @f(%x: " + X + (c.per_channel ? " {cpq.name = \"w\", cpq.role = \"param\"}" : "") + ", %a: " + A +
      ", %s: " + A + ", %dy: " + X + ", %g: " + G + ", %seed: i64, %step: i64) -> (" + X + ", " + X + ", " + X + ", " +
      A + ", " + A + ", " + G + ") {\n" + "  %e = cpq.quantize %x, %a, %s, %g {" +
      a.str() + "} : (" + X + ", " + A + ", " + A + ", " + G + ") -> " + X + "\n" +
      "  %q = cpq.quantize_train %x, %a, %s, %seed, %step, %g {" + t + "} : (" + X + ", " + A + ", " + A +
      ", i64, i64, " + G + ") -> " + X + "\n" +
      "  %dx, %da, %ds, %dg = cpq.quantize_grad %dy, %x, %a, %s, %seed, %step, %g {" + t + "} : (" + X + ", " + X +
      ", " + A + ", " + A + ", i64, i64, " + G + ") -> (" + X + ", " + A + ", " + A + ", " + G + ")\n" +
      "  return %e, %q, %dx, %da, %ds, %dg : " + X + ", " + X + ", " + X + ", " + A + ", " + A + ", " + G + "\n}\n";
  const Tensor x = random_tensor(xs, rng, -1.5f, 1.5f), dy = random_tensor(xs, rng);
  Tensor alpha({channels}), sigma({channels}), logits({c.bits - 1});
  for (int k = 0; k < channels; ++k) alpha.data[k] = 0.2f + 0.05f * float(k), sigma.data[k] = alpha.data[k] * 0.3f;
  // Logits near 0 so that sampled gates land inside (0, 1), at 0 and at 1.
  for (int k = 0; k < c.bits - 1; ++k) logits.data[k] = 0.6f - 0.35f * float(k);
  Compiled f(mlir);
  f.set(0, x), f.set(1, alpha), f.set(2, sigma), f.set(3, dy), f.set(4, logits);
  const int64_t seed = 99, step = 12;
  f.set_scalar(5, seed), f.set_scalar(6, step);
  auto o = f.run(4);

  const std::string grid = c.grid;
  const GridSpec g = make_grid(grid == "signed" ? GridKind::Signed : GridKind::Unsigned, c.bits);
  const reference::GatedGrids gg = reference::make_gated_grids(g);
  std::vector<double> log_a(logits.data.begin(), logits.data.end());
  const GateSet eval = deterministic_gates(c.bits, log_a.data()), drawn = draw_gates(c.bits, log_a.data(), seed, step, 7);
  bool fractional = false;
  for (int l = 2; l <= c.bits; ++l) {
    BOOST_TEST(cpq_hard_concrete_gate(log_a[l - 2], seed, step, 7, l, CPQ_GATE_SAMPLED_Z) == drawn.z(l));
    BOOST_TEST(cpq_hard_concrete_gate(log_a[l - 2], seed, step, 7, l, CPQ_GATE_SAMPLED_DZ) ==
               drawn.level[l - 2].dz_dlog_a);
    fractional = fractional || (drawn.z(l) > 0.0 && drawn.z(l) < 1.0);
  }
  BOOST_TEST_MESSAGE("sampled gates " << (fractional ? "include" : "exclude") << " fractional values");
  const int64_t per = x.elements() / channels;
  Tensor e(xs), q(xs), dx(xs), da({channels}), ds({channels}), dg({c.bits - 1});
  std::vector<double> sa(std::size_t(channels), 0.0), ss(std::size_t(channels), 0.0), sz(std::size_t(c.bits), 0.0);
  for (int64_t k = 0; k < x.elements(); ++k) {
    const int ch = c.per_channel ? int(k / per) : 0;
    const float al = alpha.data[ch], si = sigma.data[ch];
    e.data[k] = reference::gated_forward(gg, eval, x.data[k], al);
    q.data[k] = reference::gated_forward(gg, drawn, x.data[k], al);
    const auto grad = reference::gated_backward(gg, drawn, x.data[k], al, si, dy.data[k]);
    dx.data[k] = float(grad.ste.dx);
    sa[ch] += grad.ste.dalpha, ss[ch] += grad.ste.dsigma;
    for (int l = 2; l <= c.bits; ++l) sz[l - 2] += grad.dz[l - 2];
  }
  std::vector<double> reg(std::size_t(c.bits), 0.0);
  expected_extra_bits(c.bits, log_a.data(), reg.data());
  // The L0 term counts a weight's elements (the per-channel cases: %x is a
  // parameter) and one image's of an activation (the others: %x is data,
  // its first dimension the batch).
  const double regularised = double(x.elements()) / (c.per_channel ? 1.0 : double(xs[0]));
  for (int l = 2; l <= c.bits; ++l)
    dg.data[l - 2] = float(drawn.level[l - 2].dz_dlog_a * sz[l - 2] + c.lambda * regularised * reg[l - 2]);
  for (int ch = 0; ch < channels; ++ch) da.data[ch] = float(sa[ch]), ds.data[ch] = float(ss[ch]);
  check_quantizer(o, {e, q, dx, da, ds}, "gated ");
  check(o[5], dg, 1e-4, 1e-4, "gated quantize_grad dlog_a");
}

// The DropBits helper refuses arguments the verifier would have refused with
// -1 (every kernel's mask check fails on it) and says why, for the kernel
// loader's message; a good call leaves no reason behind.
BOOST_AUTO_TEST_CASE(dropbits_helper_reports_why_it_failed) {
  cpq_training_extern_error_clear();
  BOOST_TEST(cpq_dropbits_mask(int(GridKind::Unsigned), 2, 0.5, 0, 1, 2, 3) > 0);
  BOOST_TEST(std::string(cpq_training_extern_error()).empty());
  BOOST_TEST(cpq_dropbits_mask(int(GridKind::Unsigned), 2, 1.5, 0, 1, 2, 3) == -1);
  const std::string why = cpq_training_extern_error();
  BOOST_TEST(why.find("cpq_dropbits_mask(grid 1, bits 2, p 1.500000): DropBits p must be in [0, 1)") == 0, why);
  BOOST_TEST(cpq_dropbits_mask(int(GridKind::Unsigned), 12, 0.5, 0, 1, 2, 3) == -1);
  BOOST_TEST(std::string(cpq_training_extern_error()).find("bits 12") != std::string::npos);
  cpq_training_extern_error_clear();
  BOOST_TEST(std::string(cpq_training_extern_error()).empty());
}
