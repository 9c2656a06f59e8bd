//===- test_codegen_aot.cpp - AOT and JIT compilations agree ----------------===//
//
// tests/codegen/networks/small_net.mlir is compiled at build time by
// cpq_add_network (train_step after cpq-train-pipeline, and eval_step), and
// here, from the same file, lowered and JIT-compiled for the same target.
// On the same inputs both give bit-identical outputs.
//
//===----------------------------------------------------------------------===//
#define BOOST_TEST_MODULE codegen_aot
#include <boost/test/unit_test.hpp>

#include "codegen_harness.h"

#include "small_net_eval.h"
#include "small_net_train.h"

#include <fstream>
#include <sstream>

using namespace cpq;
using namespace cpq::testing;

namespace {

std::string expanded_source() {
  std::ifstream in(CPQ_SMALL_NET);
  std::stringstream text;
  text << in.rdbuf();
  return run_pipeline(text.str(), "cpq-train-pipeline");
}

/// Runs `c` (JIT) and the AOT entry point `argv_fn` on the same random
/// inputs; returns (JIT outputs, AOT outputs).
template <typename ArgvFn>
std::pair<std::vector<Halide::Buffer<>>, std::vector<Halide::Buffer<>>> run_both(Compiled &c, ArgvFn argv_fn,
                                                                                 int batch) {
  std::mt19937 rng(99);
  std::vector<Halide::Buffer<>> inputs;
  std::vector<void *> args;
  std::vector<int64_t> int_scalars;
  std::vector<float> float_scalars;
  int_scalars.reserve(8), float_scalars.reserve(8);
  for (std::size_t k = 0; k < c.lowered.inputs.size(); ++k) {
    codegen::LoweredInput &in = c.lowered.inputs[k];
    if (in.buffer) {
      std::vector<int> extents;
      for (auto it = in.shape.rbegin(); it != in.shape.rend(); ++it) extents.push_back(*it < 0 ? batch : int(*it));
      Halide::Buffer<> b(in.type, extents);
      if (in.type == Halide::Int(32)) {
        Halide::Buffer<int32_t> l(b);
        l.for_each_element([&](const int *pos) { l(pos) = int32_t(rng() % 3); });
      } else {
        Halide::Buffer<float> f(b);
        std::uniform_real_distribution<float> d(0.05f, 0.6f);
        f.for_each_element([&](const int *pos) { f(pos) = d(rng); });
      }
      in.buffer->set(b);
      inputs.push_back(b);
      args.push_back(b.raw_buffer());
    } else if (in.type == Halide::Float(32)) {
      float_scalars.push_back(1e-3f);
      in.scalar->set(float_scalars.back());
      args.push_back(&float_scalars.back());
    } else {
      int_scalars.push_back(int64_t(17 + k));
      in.scalar->set(int_scalars.back());
      args.push_back(&int_scalars.back());
    }
  }
  Halide::Realization jit = codegen::make_outputs(c.lowered, batch), aot = codegen::make_outputs(c.lowered, batch);
  c.pipeline.realize(jit);
  for (std::size_t k = 0; k < aot.size(); ++k) args.push_back(aot[k].raw_buffer());
  BOOST_TEST_REQUIRE(argv_fn(args.data()) == 0);
  std::vector<Halide::Buffer<>> a, b;
  for (std::size_t k = 0; k < jit.size(); ++k) a.push_back(jit[k]), b.push_back(aot[k]);
  return {a, b};
}

void check_identical(const std::vector<Halide::Buffer<>> &jit, const std::vector<Halide::Buffer<>> &aot,
                     const codegen::LoweredFunction &f) {
  BOOST_TEST_REQUIRE(jit.size() == aot.size());
  for (std::size_t k = 0; k < jit.size(); ++k) {
    const std::size_t bytes = jit[k].size_in_bytes();
    BOOST_TEST(bytes == aot[k].size_in_bytes());
    BOOST_TEST(std::memcmp(jit[k].data(), aot[k].data(), bytes) == 0, f.outputs[k].name << " differs");
  }
}

} // namespace

BOOST_AUTO_TEST_CASE(aot_train_step_equals_the_jit_one_bit_for_bit) {
  Compiled c(expanded_source(), "train_step", "hand", {}, Halide::Target(CPQ_AOT_TARGET));
  auto [jit, aot] = run_both(c, small_net_train_argv, 5);
  check_identical(jit, aot, c.lowered);
}

BOOST_AUTO_TEST_CASE(aot_eval_step_equals_the_jit_one_bit_for_bit) {
  Compiled c(expanded_source(), "eval_step", "hand", {}, Halide::Target(CPQ_AOT_TARGET));
  auto [jit, aot] = run_both(c, small_net_eval_argv, 7);
  check_identical(jit, aot, c.lowered);
}
