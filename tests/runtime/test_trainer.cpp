//===- test_trainer.cpp - training over loaded kernels, without MLIR --------===//
//
// tests/train/tiny_net.mlir quantized to W2A2 with DropBits, its train_step
// and eval_step compiled at build time by cpq-compile, trained by
// cpq::runtime::Trainer in a program that links only the runtime (no MLIR,
// no Halide compiler): everything the run needs comes from the kernels'
// manifests. A short run learns and writes its folder; the model's size is
// counted from the quantizers (2-bit weights, float32 for the rest); a
// stopped and resumed run ends bit-identical to an uninterrupted one; a
// loss that stops being finite, images of another size, kernels that are
// not a training step and misused run folders are refused with a message.
//
//===----------------------------------------------------------------------===//
#define BOOST_TEST_MODULE trainer
#include <boost/test/unit_test.hpp>

#include "scratch.h"

#include "cpq/runtime/idx.h"
#include "cpq/runtime/kernel.h"
#include "cpq/runtime/safetensors.h"
#include "cpq/runtime/trainer.h"

#include <filesystem>
#include <fstream>
#include <sstream>

using namespace cpq::runtime;
namespace fs = std::filesystem;

namespace {

std::unique_ptr<Kernel> load(const std::string &prefix) {
  std::string error;
  auto k = Kernel::load(prefix, error);
  BOOST_TEST_REQUIRE(k.get(), error);
  return k;
}

struct Kernels {
  std::unique_ptr<Kernel> step = load(CPQ_TRAINER_STEP), eval = load(CPQ_TRAINER_EVAL);
};

cpq::idx::LabelledImages data(const std::string &split, std::int64_t limit) {
  const std::string dir = cpq::idx::kFashionMnistDir;
  cpq::idx::LabelledImages d;
  std::string error;
  BOOST_TEST_REQUIRE(cpq::idx::read_labelled(cpq::idx::split_file(dir, split + "-images-idx3-ubyte"),
                                             cpq::idx::split_file(dir, split + "-labels-idx1-ubyte"), 10, d, error),
                     error);
  d.count = limit;
  d.images.resize(std::size_t(limit * d.rows * d.cols));
  d.labels.resize(std::size_t(limit));
  return d;
}

const cpq::idx::LabelledImages &train_set() {
  static const cpq::idx::LabelledImages d = data("train", 300);
  return d;
}
const cpq::idx::LabelledImages &test_set() {
  static const cpq::idx::LabelledImages d = data("t10k", 200);
  return d;
}

TrainerOptions options(const std::string &run) {
  TrainerOptions o;
  o.run_folder = cpq::testing::scratch_path("trainer", run).string();
  o.epochs = 2, o.batch = 32, o.learning_rate = 3e-3, o.seed = 7;
  o.configuration = "tiny W2A2 test";
  o.network = "tiny", o.bits = "W2A2", o.dropbits = 0.25;
  o.network_function = "tiny";
  o.progress = false;
  return o;
}

std::string read_text(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

cpq::safetensors::File read_file(const std::string &path) {
  cpq::safetensors::File f;
  std::string error;
  BOOST_TEST_REQUIRE(cpq::safetensors::read(path, f, error), error);
  return f;
}

bool run(const Kernels &k, const TrainerOptions &o, TrainingResult &r, std::string &error,
         const cpq::idx::LabelledImages &train = train_set()) {
  return Trainer(*k.step, *k.eval, o).run(train, test_set(), r, error);
}

} // namespace

BOOST_AUTO_TEST_CASE(a_short_run_learns_from_the_kernels_alone) {
  Kernels k;
  const TrainerOptions o = options("learns");
  TrainingResult r;
  std::string error;
  BOOST_TEST_REQUIRE(run(k, o, r, error), error);
  BOOST_TEST(!r.stopped);
  BOOST_TEST(r.step == 20); // 300 images in batches of 32: 10 steps an epoch
  BOOST_TEST(r.test_images == 200);
  BOOST_TEST(r.test_accuracy > 0.3, "chance is 0.1; got " << r.test_accuracy);
  for (const char *f : {"log.csv", "checkpoint.safetensors", "params.safetensors", "summary.json"})
    BOOST_TEST(fs::exists(fs::path(o.run_folder) / f), f);
  // The quantizers of the network, in order, with their bits.
  BOOST_TEST_REQUIRE(r.tensors.size() == 4u);
  BOOST_TEST(r.tensors[0].tensor == "input");
  BOOST_TEST(r.tensors[0].bits == 8);
  BOOST_TEST(r.tensors[1].tensor == "conv1.weight");
  BOOST_TEST(r.tensors[1].kind == "weight");
  BOOST_TEST(r.tensors[1].bits == 2);
  BOOST_TEST(r.tensors[1].elements == 200);
  BOOST_TEST(r.tensors[2].tensor == "act1");
  BOOST_TEST(r.tensors[2].kind == "activation");
  BOOST_TEST(r.tensors[3].tensor == "fc.weight");
  // 200 + 11,520 weights at 2 bits; 58 other values (biases, alphas, sigmas)
  // at 32; every one of the 11,778 at 32 in float32.
  BOOST_TEST(r.model_bits == 2 * (200 + 11520) + 32 * 58);
  BOOST_TEST(r.fp32_bits == 32 * (200 + 11520 + 58));
  const std::string summary = read_text(o.run_folder + "/summary.json");
  BOOST_TEST(summary.find("\"model_bits\": 25296") != std::string::npos, summary);
  BOOST_TEST(summary.find("\"epochs\": 2,") != std::string::npos, summary);
  // The parameters by their network names.
  const auto params = read_file(o.run_folder + "/params.safetensors");
  BOOST_TEST(params.find("conv1.weight") != nullptr);
  BOOST_TEST(params.find("fc.weight.sigma") != nullptr);
  BOOST_TEST(params.metadata.at("cpq.network") == "tiny");
  const std::string text = summary_text(o, r);
  BOOST_TEST(text.find("conv1.weight           weight          2") != std::string::npos, text);
}

BOOST_AUTO_TEST_CASE(a_resumed_run_ends_as_an_uninterrupted_one) {
  Kernels k;
  TrainerOptions whole = options("whole"), parts = options("parts");
  TrainingResult r;
  std::string error;
  BOOST_TEST_REQUIRE(run(k, whole, r, error), error);
  parts.stop_after_steps = 4;
  BOOST_TEST_REQUIRE(run(k, parts, r, error), error);
  BOOST_TEST(r.stopped);
  BOOST_TEST(r.step == 4);
  parts.resume = true, parts.stop_after_steps = 13;
  BOOST_TEST_REQUIRE(run(k, parts, r, error), error);
  BOOST_TEST(r.stopped);
  parts.stop_after_steps = 0;
  BOOST_TEST_REQUIRE(run(k, parts, r, error), error);
  BOOST_TEST(!r.stopped);
  const auto a = read_file(whole.run_folder + "/checkpoint.safetensors");
  const auto b = read_file(parts.run_folder + "/checkpoint.safetensors");
  BOOST_TEST_REQUIRE(a.tensors.size() == b.tensors.size());
  for (const auto &t : a.tensors) {
    const auto *u = b.find(t.name);
    BOOST_TEST_REQUIRE(u != nullptr, t.name);
    BOOST_TEST(t.data == u->data, t.name << " differs after resuming");
  }
  // Another configuration is not resumed.
  parts.configuration = "something else";
  BOOST_TEST(!run(k, parts, r, error));
  BOOST_TEST(error.find("another configuration") != std::string::npos, error);
}

BOOST_AUTO_TEST_CASE(what_cannot_train_is_refused) {
  Kernels k;
  TrainingResult r;
  std::string error;
  // A learning rate that makes the loss or a parameter infinite.
  TrainerOptions o = options("diverges");
  o.learning_rate = 1e38, o.lr_schedule = "constant"; // Adam's steps are about lr: float32 overflows in a few

  BOOST_TEST(!run(k, o, r, error));
  BOOST_TEST((error.find("the loss became") != std::string::npos ||
              (error.find("became") != std::string::npos && (error.find("parameter '") != std::string::npos ||
                                                             error.find("optimizer state '") != std::string::npos))),
             error);
  BOOST_TEST(error.find("at step") != std::string::npos, error);
  // Images of another size.
  cpq::idx::LabelledImages small;
  small.count = 4, small.rows = 14, small.cols = 14;
  small.images.assign(4 * 14 * 14, 0);
  small.labels.assign(4, 1);
  BOOST_TEST(!run(k, options("small_images"), r, error, small));
  BOOST_TEST(error.find("the network takes 28x28 images; the data are 14x14") != std::string::npos, error);
  // The evaluation kernel in the training step's place.
  BOOST_TEST(!Trainer(*k.eval, *k.eval, options("swapped")).run(train_set(), test_set(), r, error));
  BOOST_TEST(error.find("not a training step") != std::string::npos, error);
  // Run folders: resume without a checkpoint, a second run over a first.
  o = options("folders");
  o.resume = true;
  BOOST_TEST(!run(k, o, r, error));
  BOOST_TEST(error.find("no checkpoint to resume from") != std::string::npos, error);
  o = options("folders");
  o.epochs = 1, o.stop_after_steps = 2;
  BOOST_TEST_REQUIRE(run(k, o, r, error), error);
  o.stop_after_steps = 0;
  BOOST_TEST(!run(k, o, r, error));
  BOOST_TEST(error.find("already holds a run") != std::string::npos, error);
  o.overwrite = true;
  BOOST_TEST(run(k, o, r, error), error);
}
