//===- test_codegen_hessian.cpp - the compiled second-order backward pass ----===//
//
// A small network of the dialect (convolution, relu, max pooling, two dense
// layers) goes through --cpq-expand-hessian and the code generator. Its
// hessian_diag must equal
//   - Becker and LeCun's recursion written with the scalar reference layers
//     (squared weights through dense_grad_input and conv2d_grad_input,
//     squared inputs through the weight gradients), for every parameter;
//   - central finite differences of the gradient (the compiled train_step's,
//     SGD at learning rate 1: param - param' is the gradient) for the
//     weights and biases of the output layer, where the recursion is exact.
// Over batches of 1, 5 and 8 and several random networks.
//
//===----------------------------------------------------------------------===//
#define BOOST_TEST_MODULE codegen_hessian
#include <boost/test/unit_test.hpp>
#include <boost/test/data/test_case.hpp>

#include "codegen_harness.h"

using namespace cpq;
using namespace cpq::testing;
using reference::Tensor;
namespace bdata = boost::unit_test::data;

namespace {

/// The network (tests/codegen/networks/hessian_net.mlir).
std::string network() { return read_text_file(CPQ_HESSIAN_NET); }

const std::vector<std::vector<int64_t>> kShapes = {{3, 2, 3, 3}, {3}, {5, 27}, {5}, {3, 5}, {3}};
const char *kNames[] = {"w1", "b1", "w2", "b2", "w3", "b3"};

struct Case {
  std::vector<Tensor> params;
  Tensor x;
  std::vector<int32_t> labels;
};

Case make_case(unsigned seed, int batch) {
  std::mt19937 rng(seed);
  Case c;
  for (const auto &shape : kShapes) c.params.push_back(random_tensor(shape, rng, -0.8f, 0.8f));
  c.x = random_tensor({batch, 2, 6, 6}, rng, -1, 1);
  for (int n = 0; n < batch; ++n) c.labels.push_back(int32_t(rng() % 3));
  return c;
}

Compiled &hessian_kernel() {
  static Compiled c(run_pipeline(network(), "cpq-expand-hessian"), "hessian_diag");
  return c;
}
Compiled &train_kernel() {
  static Compiled c(run_pipeline(network(), "cpq-expand-training{optimizer=sgd momentum=0}"), "train_step");
  return c;
}

std::vector<Tensor> run_hessian(const Case &c, int batch) {
  Compiled &k = hessian_kernel();
  int i = 0;
  for (const Tensor &p : c.params) k.set(i++, p);
  k.set(i++, c.x);
  k.set_labels(i++, c.labels);
  return k.run(batch); // six diagonals, loss, (correct in ints)
}

/// The gradient of every parameter (SGD, lr 1, no momentum).
std::vector<Tensor> gradients(const Case &c, int batch) {
  Compiled &k = train_kernel();
  int i = 0;
  for (const Tensor &p : c.params) k.set(i++, p);
  for (const Tensor &p : c.params) k.set(i++, Tensor(p.shape)); // momentum buffers
  k.set(i++, c.x);
  k.set_labels(i++, c.labels);
  k.set_scalar(i++, int64_t(0));
  k.set_scalar(i++, int64_t(1));
  k.set_scalar(i++, 1.0f);
  const auto out = k.run(batch);
  std::vector<Tensor> g;
  for (std::size_t p = 0; p < c.params.size(); ++p) {
    Tensor d = c.params[p];
    for (std::size_t e = 0; e < d.data.size(); ++e) d.data[e] -= out[p].data[e];
    g.push_back(d);
  }
  return g;
}

/// Becker and LeCun's recursion with the scalar reference layers.
std::vector<Tensor> reference_hessian(const Case &c) {
  const auto &P = c.params;
  const reference::Window conv{3, 3, 1, 1, 1, 1}, pool{2, 2, 2, 2, 0, 0};
  const Tensor z1 = reference::conv2d(c.x, P[0], &P[1], conv, 1);
  const Tensor r1 = reference::relu(z1);
  const Tensor pooled = reference::maxpool2d(r1, pool);
  const Tensor f = reference::flatten(pooled);
  const Tensor z2 = reference::dense(f, P[2], &P[3]);
  const Tensor r2 = reference::relu(z2);
  const Tensor y = reference::dense(r2, P[4], &P[5]);
  const Tensor hy = reference::softmax_cross_entropy_hessian(y);
  const Tensor hw3 = reference::dense_grad_weight(hy, reference::square(r2));
  const Tensor hb3 = reference::bias_grad(hy);
  const Tensor hz2 = reference::relu_grad(reference::dense_grad_input(hy, reference::square(P[4])), z2);
  const Tensor hw2 = reference::dense_grad_weight(hz2, reference::square(f));
  const Tensor hb2 = reference::bias_grad(hz2);
  Tensor hpooled = reference::dense_grad_input(hz2, reference::square(P[2]));
  hpooled.shape = pooled.shape;
  const Tensor hz1 = reference::relu_grad(reference::maxpool2d_grad(hpooled, r1, pool), z1);
  const Tensor hw1 = reference::conv2d_grad_filter(hz1, reference::square(c.x), P[0], conv, 1);
  const Tensor hb1 = reference::bias_grad(hz1);
  return {hw1, hb1, hw2, hb2, hw3, hb3};
}

} // namespace

BOOST_DATA_TEST_CASE(hessian_diag_equals_the_reference_recursion, bdata::make({1, 5, 8}) * bdata::make({1u, 2u, 3u}),
                     batch, seed) {
  const Case c = make_case(seed, batch);
  const auto got = run_hessian(c, batch);
  const auto want = reference_hessian(c);
  for (std::size_t p = 0; p < want.size(); ++p) {
    std::string where;
    BOOST_TEST(all_close(got[p], want[p], 1e-4, 1e-7, where), kNames[p] << ": " << where);
    for (float v : got[p].data) BOOST_TEST(v >= 0.0f, kNames[p] << " has a negative diagonal entry " << v);
  }
  const auto ce = reference::softmax_cross_entropy(reference::dense(
                      reference::relu(reference::dense(reference::flatten(reference::maxpool2d(
                                                            reference::relu(reference::conv2d(
                                                                c.x, c.params[0], &c.params[1], {3, 3, 1, 1, 1, 1}, 1)),
                                                            {2, 2, 2, 2, 0, 0})),
                                                        c.params[2], &c.params[3])),
                      c.params[4], &c.params[5]),
                  c.labels);
  BOOST_TEST(std::fabs(got[6].data[0] - ce.loss) <= 1e-5 + 1e-5 * std::fabs(ce.loss));
  BOOST_TEST(hessian_kernel().ints.at(0) == ce.correct);
}

// The output layer's weights and biases each reach one logit linearly, so
// the diagonal there is exact: d(gradient)/d(parameter) by central
// differences of the compiled train_step's gradient.
BOOST_DATA_TEST_CASE(output_layer_diagonal_equals_finite_differences_of_the_gradient, bdata::make({1, 5}) * bdata::make({4u, 5u}),
                     batch, seed) {
  const Case c = make_case(seed, batch);
  const auto h = run_hessian(c, batch);
  const double step = 1e-2;
  for (std::size_t p : {4u, 5u}) {
    for (std::size_t e = 0; e < c.params[p].data.size(); ++e) {
      Case plus = c, minus = c;
      plus.params[p].data[e] += float(step), minus.params[p].data[e] -= float(step);
      const double fd = (double(gradients(plus, batch)[p].data[e]) - double(gradients(minus, batch)[p].data[e])) / (2 * step);
      BOOST_TEST(std::fabs(fd - h[p].data[e]) <= 0.01 * std::fabs(fd) + 2e-5,
                 kNames[p] << "[" << e << "]: hessian_diag " << h[p].data[e] << ", finite differences " << fd);
    }
  }
}

// Elsewhere the recursion drops the off-diagonal terms of each layer's
// output Hessian: it is an approximation. The finite-difference diagonal of
// the hidden layers is still positive where the recursion's is, and of the
// same order: the two agree within a factor of 10 on average (a check that
// the recursion runs through the right layers, not a claim of exactness).
BOOST_AUTO_TEST_CASE(hidden_layers_diagonal_is_of_the_order_of_finite_differences) {
  const int batch = 6;
  const Case c = make_case(9u, batch);
  const auto h = run_hessian(c, batch);
  const double step = 1e-3;
  for (std::size_t p : {0u, 2u}) {
    double sum_fd = 0, sum_h = 0;
    for (std::size_t e = 0; e < c.params[p].data.size(); e += 3) {
      Case plus = c, minus = c;
      plus.params[p].data[e] += float(step), minus.params[p].data[e] -= float(step);
      sum_fd += (double(gradients(plus, batch)[p].data[e]) - double(gradients(minus, batch)[p].data[e])) / (2 * step);
      sum_h += h[p].data[e];
    }
    BOOST_TEST_MESSAGE(kNames[p] << ": recursion " << sum_h << ", finite differences " << sum_fd);
    BOOST_TEST(sum_h > 0);
    BOOST_TEST(sum_fd > 0);
    BOOST_TEST(sum_h / sum_fd < 10.0, kNames[p] << ": recursion " << sum_h << ", finite differences " << sum_fd);
    BOOST_TEST(sum_h / sum_fd > 0.1, kNames[p] << ": recursion " << sum_h << ", finite differences " << sum_fd);
  }
}
