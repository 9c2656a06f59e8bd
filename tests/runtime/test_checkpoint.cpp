//===- test_checkpoint.cpp - training state of a train_step kernel ----------===//
//
// With the train_step of tests/codegen/networks/small_net.mlir (loaded_net,
// compiled at build time): a checkpoint of all its parameters and optimizer
// state round-trips exactly with its metadata; saving refuses missing or
// mis-sized values and leaves nothing behind; loading names the file and the
// tensor for a missing, extra, mistyped or misshapen tensor and for a
// damaged file.
//
//===----------------------------------------------------------------------===//
#define BOOST_TEST_MODULE checkpoint
#include <boost/test/unit_test.hpp>

#include "scratch.h"

#include "cpq/runtime/checkpoint.h"
#include "cpq/runtime/safetensors.h"

#include <filesystem>
#include <fstream>

using namespace cpq;
using namespace cpq::runtime;
namespace fs = std::filesystem;

namespace {

fs::path scratch(const std::string &name) { return cpq::testing::scratch_path("checkpoint", name); }

std::unique_ptr<Kernel> kernel() {
  std::string error;
  auto k = Kernel::load(CPQ_LOADED_NET, error);
  BOOST_TEST_REQUIRE(k.get(), error);
  return k;
}

TrainingState full_state(const Kernel &k) {
  TrainingState s;
  float v = 0.25f;
  for (const KernelArgument *a : checkpointed_arguments(k)) {
    std::int64_t n = 1;
    for (std::int64_t d : a->shape) n *= d;
    auto &t = s.tensors[a->name];
    for (std::int64_t e = 0; e < n; ++e) t.push_back(v += 0.37f);
  }
  s.metadata = {{"step", "1234"}, {"seed", "7"}, {"epoch", "3"}};
  return s;
}

void load_fails(const Kernel &k, const fs::path &p, const std::string &what) {
  TrainingState s;
  std::string error;
  BOOST_TEST(!load_checkpoint(p.string(), k, s, error));
  BOOST_TEST(error.find(p.string()) == 0, error);
  BOOST_TEST(error.find(what) != std::string::npos, "'" << error << "' should say '" << what << "'");
}

} // namespace

BOOST_AUTO_TEST_CASE(a_checkpoint_round_trips_exactly) {
  auto k = kernel();
  const auto args = checkpointed_arguments(*k);
  std::size_t params = 0, state = 0;
  for (const KernelArgument *a : args) (a->role == "param" ? params : state)++;
  BOOST_TEST(params == 11u); // w1 b1 g be m v w2 w3 b3 w3_alpha w3_sigma
  BOOST_TEST(state == 18u);  // Adam's two moments of the 9 trainable ones
  const TrainingState s = full_state(*k);
  const fs::path p = scratch("run.safetensors");
  std::string error;
  BOOST_TEST_REQUIRE(save_checkpoint(p.string(), *k, s, error), error);
  TrainingState back;
  BOOST_TEST_REQUIRE(load_checkpoint(p.string(), *k, back, error), error);
  BOOST_TEST((back.tensors == s.tensors));
  BOOST_TEST(back.metadata.at("step") == "1234");
  BOOST_TEST(back.metadata.at("cpq.kernel") == "loaded_net");
  for (const auto &entry : fs::directory_iterator(p.parent_path()))
    BOOST_TEST(entry.path().filename() == "run.safetensors", "left behind: " << entry.path());
}

BOOST_AUTO_TEST_CASE(saving_refuses_incomplete_state_and_writes_nothing) {
  auto k = kernel();
  TrainingState s = full_state(*k);
  s.tensors.erase("w2_adam_v");
  const fs::path p = scratch("incomplete.safetensors");
  std::string error;
  BOOST_TEST(!save_checkpoint(p.string(), *k, s, error));
  BOOST_TEST(error.find("no values for 'w2_adam_v'") != std::string::npos, error);
  s = full_state(*k);
  s.tensors["w1"].pop_back();
  BOOST_TEST(!save_checkpoint(p.string(), *k, s, error));
  BOOST_TEST(error.find("'w1' has 71 values, its shape [4, 2, 3, 3] needs 72") != std::string::npos, error);
  BOOST_TEST(!fs::exists(p));
}

BOOST_AUTO_TEST_CASE(loading_names_the_file_and_the_tensor) {
  auto k = kernel();
  const TrainingState s = full_state(*k);
  auto write_variant = [&](const std::string &name, auto &&edit) {
    safetensors::File f;
    for (const KernelArgument *a : checkpointed_arguments(*k))
      f.tensors.push_back(safetensors::make_f32(a->name, a->shape, s.tensors.at(a->name)));
    edit(f);
    const fs::path p = scratch(name);
    std::string error;
    BOOST_TEST_REQUIRE(safetensors::write(p.string(), f, error), error);
    return p;
  };
  load_fails(*k, write_variant("missing.safetensors", [](safetensors::File &f) { f.tensors.pop_back(); }),
             "no tensor 'w3_sigma_adam_v' (state of loaded_net)");
  load_fails(*k, write_variant("extra.safetensors",
                               [](safetensors::File &f) { f.tensors.push_back(safetensors::make_f32("fc9", {2}, {1, 2})); }),
             "tensor 'fc9' is not a parameter or state of loaded_net");
  load_fails(*k, write_variant("shape.safetensors",
                               [](safetensors::File &f) {
                                 for (auto &t : f.tensors)
                                   if (t.name == "w3") t.shape = {16, 3};
                               }),
             "'w3' has shape [16, 3], loaded_net needs [3, 16]");
  load_fails(*k, write_variant("dtype.safetensors",
                               [](safetensors::File &f) {
                                 for (auto &t : f.tensors)
                                   if (t.name == "b1") t.dtype = "I32";
                               }),
             "'b1' is I32, expected F32");
  // A damaged file: the safetensors reader's message, naming it.
  const fs::path good = scratch("good.safetensors");
  std::string error;
  BOOST_TEST_REQUIRE(save_checkpoint(good.string(), *k, s, error), error);
  const auto size = fs::file_size(good);
  fs::resize_file(good, size - 5);
  load_fails(*k, good, "");
  load_fails(*k, scratch("absent.safetensors"), "");
  fs::remove_all(scratch("x").parent_path());
}
