//===- test_codegen_training.cpp - compiled train_step gradients ------------===//
//
// A small network of the dialect goes through --cpq-expand-training (SGD,
// learning rate 1, no momentum, no decay: param - param' is the gradient)
// and the code generator. Its gradients must equal central finite
// differences of the same compiled train_step's loss (float32 networks,
// where the loss is smooth almost everywhere), for a network with
// convolution, pooling, dense layers, a residual addition and batch norm.
// The quantizer's STE path is compared with the scalar reference in
// test_codegen_layers.
//
//===----------------------------------------------------------------------===//
#define BOOST_TEST_MODULE codegen_training
#include <boost/test/unit_test.hpp>

#include "codegen_harness.h"


using namespace cpq;
using namespace cpq::testing;
using reference::Tensor;

namespace {

const char *kNetwork = R"(
func @net(%x: tensor<?x2x6x6xf32>) -> tensor<?x3xf32> {
  %w1 = cpq.param "w1" {init = "he_normal"} : tensor<4x2x3x3xf32>
  %b1 = cpq.param "b1" {init = "zeros"} : tensor<4xf32>
  %c1 = cpq.conv2d %x, %w1, %b1 {padding = [1, 1]} : (tensor<?x2x6x6xf32>, tensor<4x2x3x3xf32>, tensor<4xf32>) -> tensor<?x4x6x6xf32>
  %g = cpq.param "g" {init = "ones"} : tensor<4xf32>
  %be = cpq.param "be" {init = "zeros"} : tensor<4xf32>
  %m = cpq.param "m" {init = "zeros", trainable = false} : tensor<4xf32>
  %v = cpq.param "v" {init = "ones", trainable = false} : tensor<4xf32>
  %n1 = cpq.batch_norm %c1, %g, %be, %m, %v : (tensor<?x4x6x6xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<?x4x6x6xf32>
  %r1 = cpq.relu %n1 : tensor<?x4x6x6xf32>
  %w2 = cpq.param "w2" {init = "he_normal"} : tensor<4x4x3x3xf32>
  %c2 = cpq.conv2d %r1, %w2 {padding = [1, 1]} : (tensor<?x4x6x6xf32>, tensor<4x4x3x3xf32>) -> tensor<?x4x6x6xf32>
  %s = cpq.add %c2, %r1 : tensor<?x4x6x6xf32>
  %p = cpq.avgpool2d %s {kernel = [2, 2]} : (tensor<?x4x6x6xf32>) -> tensor<?x4x3x3xf32>
  %q = cpq.maxpool2d %p {kernel = [2, 2], stride = [1, 1]} : (tensor<?x4x3x3xf32>) -> tensor<?x4x2x2xf32>
  %f = cpq.flatten %q : (tensor<?x4x2x2xf32>) -> tensor<?x16xf32>
  %w3 = cpq.param "w3" {init = "he_normal"} : tensor<3x16xf32>
  %b3 = cpq.param "b3" {init = "zeros"} : tensor<3xf32>
  %y = cpq.dense %f, %w3, %b3 : (tensor<?x16xf32>, tensor<3x16xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}
)";

/// The network expanded to train_step (SGD, lr given at run time) as text.
std::string train_step_source() {
  static const std::string text = run_pipeline(kNetwork, "cpq-expand-training{optimizer=sgd momentum=0}");
  return text;
}

struct Step {
  std::vector<Tensor> params; // w1 b1 g be m v w2 w3 b3
  Tensor x;
  std::vector<int32_t> labels;
};

Step make_step(std::mt19937 &rng, int batch) {
  Step s;
  const std::vector<std::vector<int64_t>> shapes = {{4, 2, 3, 3}, {4}, {4}, {4}, {4}, {4}, {4, 4, 3, 3}, {3, 16}, {3}};
  for (const auto &shape : shapes) s.params.push_back(random_tensor(shape, rng, -0.7f, 0.7f));
  for (float &v : s.params[5].data) v = std::fabs(v) + 0.5f; // running variance
  s.x = random_tensor({batch, 2, 6, 6}, rng, -1, 1);
  for (int n = 0; n < batch; ++n) s.labels.push_back(int32_t(rng() % 3));
  return s;
}

/// Runs train_step; returns the outputs (params', state', loss, correct).
std::vector<Tensor> run(Compiled &c, const Step &s, int batch) {
  int k = 0;
  for (const Tensor &p : s.params) c.set(k++, p);
  for (const Tensor &p : s.params) // momentum buffers: zeros
    if (&p != &s.params[4] && &p != &s.params[5]) c.set(k++, Tensor(p.shape));
  c.set(k++, s.x);
  c.set_labels(k++, s.labels);
  c.set_scalar(k++, int64_t(0)); // step
  c.set_scalar(k++, int64_t(1)); // seed
  c.set_scalar(k++, 1.0f);       // learning rate
  return c.run(batch);
}

} // namespace

BOOST_AUTO_TEST_CASE(train_step_gradients_equal_finite_differences_of_its_loss) {
  const int batch = 3;
  std::mt19937 rng(2024);
  Step step = make_step(rng, batch);
  Compiled c(train_step_source(), "train_step");
  const auto base = run(c, step, batch);
  const std::size_t loss_index = base.size() - 2;
  const float loss0 = base[loss_index].data[0];
  BOOST_TEST(std::isfinite(loss0));

  // Running statistics come back updated, not trained.
  for (std::size_t i : {4u, 5u}) BOOST_TEST(base[i].data != step.params[i].data);

  const double h = 5e-4;
  const char *names[] = {"w1", "b1", "g", "be", "m", "v", "w2", "w3", "b3"};
  for (std::size_t i : {0u, 1u, 2u, 3u, 6u, 7u, 8u}) {
    // SGD, lr 1, no momentum: param - param' is the gradient.
    Tensor grad = step.params[i];
    for (std::size_t k = 0; k < grad.data.size(); ++k) grad.data[k] -= base[i].data[k];
    for (std::size_t k = 0; k < grad.data.size(); k += std::max<std::size_t>(1, grad.data.size() / 6)) {
      Step plus = step, minus = step;
      plus.params[i].data[k] += float(h), minus.params[i].data[k] -= float(h);
      const double fd = (double(run(c, plus, batch)[loss_index].data[0]) -
                         double(run(c, minus, batch)[loss_index].data[0])) / (2 * h);
      BOOST_TEST(std::fabs(fd - grad.data[k]) <= 0.02 * std::fabs(fd) + 2e-3,
                 names[i] << "[" << k << "]: train_step " << grad.data[k] << ", finite differences " << fd);
    }
  }
}

// The autoschedulers tile for the batch they are told to expect (64, the
// default estimate): run them at that batch. All three on the whole
// train_step: Adams2019's schedule is stored where computed after it is
// made (Halide 14's sliding windows inside reduction loops computed wrong
// values, schedules/schedule.cpp), and Mullapudi2016's internal error on an
// input read only as 0*m is avoided by leaving zero terms out of the SGD
// update (this step's SGD has no momentum). Adams2019 with a beam of 1 (its
// default of 32 takes minutes).
BOOST_AUTO_TEST_CASE(hand_and_autoscheduled_train_steps_agree) {
  const int batch = 64;
  std::mt19937 rng(7);
  Step step = make_step(rng, batch);
  Compiled hand(train_step_source(), "train_step");
  const auto want = run(hand, step, batch);
  ::setenv("HL_BEAM_SIZE", "1", 0);
  for (const char *scheduler : {"Li2018", "Adams2019", "Mullapudi2016"}) {
    BOOST_TEST_CHECKPOINT(scheduler);
    Compiled other(train_step_source(), "train_step", scheduler);
    const auto got = run(other, step, batch);
    for (std::size_t i = 0; i + 1 < want.size(); ++i) {
      std::string where;
      BOOST_TEST(all_close(got[i], want[i], 1e-4, 1e-5, where), scheduler << " output " << i << ": " << where);
    }
    BOOST_TEST(other.ints.at(0) == hand.ints.at(0));
  }
}
