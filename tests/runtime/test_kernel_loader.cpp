//===- test_kernel_loader.cpp - calling cpq-compile's .so by argument name ---===//
//
// tests/codegen/networks/small_net.mlir's train_step, compiled at build time
// by cpq-compile into loaded_net.so + loaded_net.json, is loaded and called
// by argument name; on the same inputs it gives bit-identical outputs to the
// same function linked statically (small_net_train, tests/codegen). Every
// misuse is a message naming the argument or the file: missing, unknown,
// wrong type, wrong rank, wrong extent, disagreeing batches, a real value for
// an integer scalar, a Halide run-time error (a label out of range), missing
// or broken files, a manifest that does not match the library. Its
// manifest is the contract of the kernel: every argument's network name,
// each parameter's init, which output replaces which input, the quantizers;
// manifests read back as written, and one that contradicts itself is refused.
//
//===----------------------------------------------------------------------===//
#define BOOST_TEST_MODULE kernel_loader
#include <boost/test/unit_test.hpp>

#include "scratch.h"

#include "cpq/runtime/allocator.h"
#include "cpq/runtime/kernel.h"
#include "cpq/runtime/profile.h"

#include "small_net_train.h"

#include <cmath>
#include <cstring>
#include <dlfcn.h>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

using namespace cpq::runtime;
namespace fs = std::filesystem;

namespace {

/// A dense buffer of `arg` with the batch `batch`, owning its bytes.
struct Owned {
  std::vector<halide_dimension_t> dims;
  std::vector<std::uint8_t> bytes;
  halide_buffer_t b{};
  Owned(const KernelArgument &arg, int batch) {
    std::int32_t stride = 1;
    for (auto it = arg.shape.rbegin(); it != arg.shape.rend(); ++it) {
      const std::int32_t extent = *it < 0 ? batch : std::int32_t(*it);
      dims.push_back(halide_dimension_t(0, extent, stride));
      stride *= extent;
    }
    bytes.assign(std::size_t(stride) * arg.type.bytes(), 0);
    b.host = bytes.data();
    b.type = arg.type;
    b.dimensions = int(dims.size());
    b.dim = dims.data();
  }
  Owned(const Owned &) = delete;
};

struct Call {
  std::map<std::string, std::unique_ptr<Owned>> owned;
  std::map<std::string, halide_buffer_t *> buffers;
  std::map<std::string, Scalar> scalars;
  std::vector<void *> argv; // in the kernel's order, for the static entry point
  std::vector<std::int64_t> scalar_storage;

  Call(const Kernel &k, int batch, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> d(0.05f, 0.6f);
    scalar_storage.resize(k.arguments().size());
    for (std::size_t i = 0; i < k.arguments().size(); ++i) {
      const KernelArgument &a = k.arguments()[i];
      if (!a.buffer) {
        void *p = &scalar_storage[i];
        if (a.type.code == halide_type_float) {
          scalars[a.name] = Scalar::of(0.01);
          *static_cast<float *>(p) = 0.01f;
        } else {
          const std::int64_t v = a.role == "step" ? 3 : 17;
          scalars[a.name] = Scalar::of_int(v);
          *static_cast<std::int64_t *>(p) = v;
        }
        argv.push_back(p);
        continue;
      }
      auto o = std::make_unique<Owned>(a, batch);
      if (!a.output) {
        const std::size_t n = o->bytes.size() / a.type.bytes();
        if (a.type.code == halide_type_int)
          for (std::size_t e = 0; e < n; ++e) reinterpret_cast<std::int32_t *>(o->bytes.data())[e] = std::int32_t(rng() % 3);
        else
          for (std::size_t e = 0; e < n; ++e) reinterpret_cast<float *>(o->bytes.data())[e] = d(rng);
      }
      buffers[a.name] = &o->b;
      argv.push_back(&o->b);
      owned[a.name] = std::move(o);
    }
  }
};

std::unique_ptr<Kernel> load_ok() {
  std::string error;
  auto k = Kernel::load(CPQ_LOADED_NET, error);
  BOOST_TEST_REQUIRE(k.get(), error);
  return k;
}

fs::path scratch(const std::string &name) { return cpq::testing::scratch_path("kernel_loader", name); }

std::string manifest() {
  std::ifstream in(std::string(CPQ_LOADED_NET) + ".json");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// A copy of the kernel whose manifest is `json`, under a new prefix.
std::string variant(const std::string &name, const std::string &json) {
  const fs::path prefix = scratch(name);
  fs::copy_file(std::string(CPQ_LOADED_NET) + ".so", prefix.string() + ".so", fs::copy_options::overwrite_existing);
  std::ofstream(prefix.string() + ".json") << json;
  return prefix.string();
}

void load_fails(const std::string &prefix, const std::string &what) {
  std::string error;
  BOOST_TEST(!Kernel::load(prefix, error), prefix);
  BOOST_TEST(error.find(what) != std::string::npos, "'" << error << "' should say '" << what << "'");
}

void call_fails(const Kernel &k, const Call &c, const std::string &what) {
  std::string error;
  BOOST_TEST(!k.call(c.buffers, c.scalars, error));
  BOOST_TEST(error.find(what) != std::string::npos, "'" << error << "' should say '" << what << "'");
}

} // namespace

BOOST_AUTO_TEST_CASE(the_loaded_kernel_equals_the_statically_linked_one) {
  auto k = load_ok();
  BOOST_TEST(k->function() == "loaded_net");
  BOOST_TEST(int(k->arguments().size()) == small_net_train_metadata()->num_arguments);
  for (int batch : {1, 5, 64}) {
    Call loaded(*k, batch, 7), linked(*k, batch, 7);
    std::string error;
    BOOST_TEST_REQUIRE(k->call(loaded.buffers, loaded.scalars, error), error);
    BOOST_TEST_REQUIRE(small_net_train_argv(linked.argv.data()) == 0);
    int outputs = 0;
    for (const KernelArgument &a : k->arguments()) {
      if (!a.output) continue;
      ++outputs;
      BOOST_TEST(loaded.owned.at(a.name)->bytes == linked.owned.at(a.name)->bytes, a.name << " at batch " << batch);
    }
    BOOST_TEST(outputs > 0);
  }
}

BOOST_AUTO_TEST_CASE(a_step_compiled_as_three_pipelines_equals_the_one_pipeline_step) {
  // cpq-compile --split 3: the parts and the entry point that allocates the
  // tensors between them give the same bits as one pipeline, through the
  // same manifest and argv / metadata entry points.
  auto whole = load_ok();
  std::string error;
  auto split = Kernel::load(CPQ_LOADED_NET_SPLIT, error);
  BOOST_TEST_REQUIRE(split.get(), error);
  BOOST_TEST(split->function() == "loaded_net_split");
  BOOST_TEST_REQUIRE(split->arguments().size() == whole->arguments().size());
  for (std::size_t i = 0; i < whole->arguments().size(); ++i) {
    const KernelArgument &a = whole->arguments()[i], &b = split->arguments()[i];
    BOOST_TEST((a.name == b.name && a.role == b.role && a.output == b.output && a.shape == b.shape), a.name);
  }
  for (int batch : {1, 5, 64}) {
    Call one(*whole, batch, 11), three(*split, batch, 11);
    BOOST_TEST_REQUIRE(whole->call(one.buffers, one.scalars, error), error);
    BOOST_TEST_REQUIRE(split->call(three.buffers, three.scalars, error), error);
    // Bit for bit but for the last bit of a few of Adam's updates: LLVM may
    // fuse an update's multiply-adds (Halide allows it) differently in the
    // two pipelines' code, more so since a parameter and its moments share
    // one loop (compute_with). A moment b m + (1 - b) g that cancels is then
    // an ulp of its terms apart (0.00375057 against 0.00375056, 3e-6
    // relative, at batch 5): the tolerance is an ulp of the result or of
    // the moment it updates. Integers (the correct count) exactly.
    for (const KernelArgument &a : whole->arguments()) {
      if (!a.output) continue;
      const std::vector<std::uint8_t> &x = one.owned.at(a.name)->bytes, &y = three.owned.at(a.name)->bytes;
      if (a.type.code != halide_type_float) {
        BOOST_TEST(x == y, a.name << " at batch " << batch);
        continue;
      }
      const float *fx = reinterpret_cast<const float *>(x.data()), *fy = reinterpret_cast<const float *>(y.data());
      // The tensor an output X_out updates is the input X.
      const std::string suffix = "_out";
      const bool updates = a.name.size() > suffix.size() &&
                           a.name.compare(a.name.size() - suffix.size(), suffix.size(), suffix) == 0;
      const auto input = updates ? one.owned.find(a.name.substr(0, a.name.size() - suffix.size())) : one.owned.end();
      const float *before =
          input != one.owned.end() ? reinterpret_cast<const float *>(input->second->bytes.data()) : nullptr;
      for (std::size_t e = 0; e < x.size() / sizeof(float); ++e)
        if (std::abs(fx[e] - fy[e]) > 2.5e-7f * std::max(std::abs(fx[e]), before ? std::abs(before[e]) : 0.0f)) {
          BOOST_TEST(fx[e] == fy[e], a.name << "[" << e << "] at batch " << batch);
          break;
        }
    }
  }
  // A part's error comes back through the entry point, and the tensors
  // between parts are given back.
  Call bad(*split, 4, 1);
  reinterpret_cast<std::int32_t *>(bad.owned.at("labels")->bytes.data())[2] = 9; // 3 classes
  call_fails(*split, bad, "the kernel failed");
  call_fails(*split, bad, "label");
  BOOST_TEST(allocator_stats().live_bytes == 0u);
}

BOOST_AUTO_TEST_CASE(the_split_entry_point_refuses_bounds_queries_and_missing_buffers) {
  // Called directly (the loader refuses both before calling): a bounds
  // query or a null buffer is an error code, not a run on empty tensors.
  std::string error;
  auto split = Kernel::load(CPQ_LOADED_NET_SPLIT, error);
  BOOST_TEST_REQUIRE(split.get(), error);
  void *so = ::dlopen((std::string(CPQ_LOADED_NET_SPLIT) + ".so").c_str(), RTLD_NOW | RTLD_LOCAL);
  BOOST_TEST_REQUIRE(so, ::dlerror());
  auto argv_fn = reinterpret_cast<int (*)(void **)>(::dlsym(so, "loaded_net_split_argv"));
  BOOST_TEST_REQUIRE(argv_fn);
  {
    Call ok(*split, 4, 2);
    BOOST_TEST(argv_fn(ok.argv.data()) == 0);
  }
  {
    Call query(*split, 4, 2);
    query.owned.at("w1_out")->b.host = nullptr;
    BOOST_TEST(argv_fn(query.argv.data()) != 0);
  }
  {
    Call missing(*split, 4, 2);
    for (std::size_t i = 0; i < split->arguments().size(); ++i)
      if (split->arguments()[i].name == "input") missing.argv[i] = nullptr;
    BOOST_TEST(argv_fn(missing.argv.data()) != 0);
  }
  ::dlclose(so);
}

BOOST_AUTO_TEST_CASE(loaded_kernels_reuse_their_temporaries) {
  // At batch 4096 small_net's intermediates are megabytes: the second call
  // gets its blocks back from the caching allocator the loader installed.
  auto k = load_ok();
  Call c(*k, 4096, 3);
  std::string error;
  BOOST_TEST_REQUIRE(k->call(c.buffers, c.scalars, error), error);
  const AllocatorStats first = allocator_stats();
  BOOST_TEST(first.misses > 0u);
  BOOST_TEST(first.live_bytes == 0u); // everything given back
  BOOST_TEST_REQUIRE(k->call(c.buffers, c.scalars, error), error);
  const AllocatorStats second = allocator_stats();
  BOOST_TEST(second.hits > first.hits);
  BOOST_TEST(second.misses == first.misses);
}

BOOST_AUTO_TEST_CASE(misuse_names_the_argument) {
  auto k = load_ok();
  const KernelArgument *input = k->argument("input");
  BOOST_TEST_REQUIRE(input);
  {
    Call c(*k, 4, 1);
    c.buffers.erase("input");
    call_fails(*k, c, "buffer argument 'input' is missing");
  }
  {
    Call c(*k, 4, 1);
    c.buffers["nope"] = c.buffers.at("input");
    call_fails(*k, c, "no buffer argument 'nope'");
  }
  {
    Call c(*k, 4, 1);
    c.scalars.erase("seed");
    call_fails(*k, c, "scalar argument 'seed' is missing");
  }
  {
    Call c(*k, 4, 1);
    c.scalars["seed"] = Scalar::of(0.5);
    call_fails(*k, c, "scalar 'seed' is int64; got a real value");
  }
  {
    Call c(*k, 4, 1);
    c.owned.at("input")->b.type = halide_type_t(halide_type_int, 32);
    call_fails(*k, c, "'input' must be float32, got int32");
  }
  {
    Call c(*k, 4, 1);
    c.owned.at("input")->b.dimensions = 3;
    call_fails(*k, c, "'input' must have 4 dimensions");
  }
  {
    Call c(*k, 4, 1);
    c.owned.at("input")->dims[0].extent = 7; // the width, 6
    call_fails(*k, c, "'input' must be [?, 2, 6, 6]; axis 3 has 7");
  }
  {
    // Kernels take dense buffers (the row strides are compiled in): a view
    // with other strides is refused, naming the buffer and the stride.
    Call c(*k, 4, 1);
    c.owned.at("w1")->dims[1].stride = 4; // rows of 3 floats, 4 apart
    call_fails(*k, c, "w1.stride.1");
  }
  {
    Call c(*k, 4, 1);
    c.owned.at("w1_out")->b.host = nullptr; // not a bounds query: an error
    call_fails(*k, c, "'w1_out' has no host memory");
  }
  {
    Call c(*k, 4, 1);
    c.owned.at("labels")->dims[0].extent = 3;
    call_fails(*k, c, "batch");
  }
  {
    Call c(*k, 4, 1);
    reinterpret_cast<std::int32_t *>(c.owned.at("labels")->bytes.data())[2] = 9; // 3 classes
    call_fails(*k, c, "the kernel failed");
    call_fails(*k, c, "label"); // Halide's own message comes back
  }
}

BOOST_AUTO_TEST_CASE(c_identifiers_of_network_names) {
  BOOST_TEST(c_identifier("conv1.weight") == "conv1_weight");
  BOOST_TEST(c_identifier("conv1.weight.adam_m") == "conv1_weight_adam_m");
  BOOST_TEST(c_identifier("a-b/c d") == "a_b_c_d");
  BOOST_TEST(c_identifier("1x") == "t_1x");
  BOOST_TEST(c_identifier("") == "t_");
  BOOST_TEST(c_identifier("caf\xc3\xa9") == "caf__"); // UTF-8 bytes are not ASCII letters
}

BOOST_AUTO_TEST_CASE(the_manifest_says_what_each_argument_is) {
  auto k = load_ok();
  const Manifest &m = k->manifest();
  BOOST_TEST(m.source_function == "train_step");
  int params = 0, updated = 0;
  for (const KernelArgument &a : m.arguments) {
    if (a.updates.empty()) BOOST_TEST(a.name == c_identifier(a.tensor), a.name);
    if (!a.output && a.role == "param") {
      ++params;
      BOOST_TEST_REQUIRE(a.init.has_value(), a.name);
    }
    if (a.output && (a.role == "param" || a.role == "state")) {
      const KernelArgument *in = m.argument(a.updates);
      BOOST_TEST_REQUIRE(in != nullptr, a.name);
      BOOST_TEST(!in->output);
      BOOST_TEST(in->tensor == a.tensor);
      BOOST_TEST(a.name == a.updates + "_out");
      ++updated;
    }
    if (a.output && (a.role == "loss" || a.role == "correct")) BOOST_TEST(a.updates.empty());
  }
  BOOST_TEST(params == 11);
  BOOST_TEST(updated == 11 + 2 * 9); // every parameter, and Adam's moments of the 9 trainable ones
  BOOST_TEST(k->argument("w1")->init->kind == "he_normal");
  BOOST_TEST(k->argument("w3_alpha")->tensor == "w3.alpha");
  BOOST_TEST((k->argument("w3_alpha")->init->values == std::vector<float>{0.25f}));
  BOOST_TEST_REQUIRE(m.quantizers.size() == 1u);
  BOOST_TEST(m.quantizers[0].tensor == "w3");
  BOOST_TEST(m.quantizers[0].kind == "weight");
  BOOST_TEST(m.quantizers[0].bits == 2);
  BOOST_TEST(m.quantizers[0].elements == 48);
  BOOST_TEST(m.externs == std::vector<std::string>{"cpq_dropbits_mask"});
}

BOOST_AUTO_TEST_CASE(manifests_read_back_as_written) {
  const std::string text = manifest();
  Manifest m;
  std::string error;
  BOOST_TEST_REQUIRE(parse_manifest(text, "loaded_net.json", m, error), error);
  BOOST_TEST(manifest_json(m) == text);
}

BOOST_AUTO_TEST_CASE(a_manifest_that_contradicts_itself_is_refused) {
  std::string text = manifest();
  Manifest m;
  std::string error;
  const std::string updates = R"("updates":"w1")";
  BOOST_TEST_REQUIRE(text.find(updates) != std::string::npos);
  std::string wrong = text;
  wrong.replace(wrong.find(updates), updates.size(), R"("updates":"nothing")");
  BOOST_TEST(!parse_manifest(wrong, "x.json", m, error));
  BOOST_TEST(error.find("x.json: 'w1_out' updates 'nothing'") != std::string::npos, error);
  wrong = text;
  wrong.replace(wrong.find(updates), updates.size(), R"("updates":"b1")"); // another shape
  BOOST_TEST(!parse_manifest(wrong, "x.json", m, error));
  wrong = text;
  wrong.replace(wrong.find(R"("direction":"input")"), 19, R"("direction":"sideways")");
  BOOST_TEST(!parse_manifest(wrong, "x.json", m, error));
  BOOST_TEST(error.find("direction 'sideways'") != std::string::npos, error);
  wrong = text;
  wrong.replace(wrong.find(R"("bits":2)"), 8, R"("bits":"two")");
  BOOST_TEST(!parse_manifest(wrong, "x.json", m, error));
  BOOST_TEST(error.find("quantizer") != std::string::npos, error);
  // An integer beyond int was narrowed (2^32 + 2 read as 2 bits).
  wrong = text;
  wrong.replace(wrong.find(R"("bits":2)"), 8, R"("bits":4294967298)");
  BOOST_TEST(!parse_manifest(wrong, "x.json", m, error));
  BOOST_TEST(error.find("x.json: a quantizer's bits is out of range: 4294967298") != std::string::npos, error);
}

// tests/fuzz/corpus/fuzz_manifest/crash-init-value-beyond-float32.json: an
// init value beyond float32 became inf, which a written manifest cannot hold.
BOOST_AUTO_TEST_CASE(init_values_beyond_float32_are_refused) {
  const std::string head = R"({"function":"f","arguments":[{"name":"w","direction":"input","kind":"buffer",)"
                           R"("type":"float32","shape":[1],"init":{"kind":"constant","values":[)";
  Manifest m;
  std::string error;
  for (const char *v : {"1e39", "-1e39", "1e300"}) {
    BOOST_TEST(!parse_manifest(head + v + "]}}]}", "x.json", m, error), v);
    BOOST_TEST(error.find("x.json: argument 0 ('w') has an init value beyond float32") == 0, error);
  }
  BOOST_TEST_REQUIRE(parse_manifest(head + "3.4028234e38, -1e-50]}}]}", "x.json", m, error), error);
  BOOST_TEST(m.arguments.at(0).init->values.at(0) == 3.4028234e38f);
  BOOST_TEST(parse_manifest(manifest_json(m), "again.json", m, error), error);
}

BOOST_AUTO_TEST_CASE(bad_files_name_the_file) {
  load_fails(scratch("missing").string(), "missing.json: cannot open");
  load_fails(variant("broken", "{\"function\": "), "broken.json: invalid JSON manifest");
  load_fails(variant("notmanifest", "[1, 2]"), "not a cpq-compile manifest");
  std::string other = manifest();
  other.replace(other.find("\"loaded_net\""), std::strlen("\"loaded_net\""), "\"other\"");
  load_fails(variant("other", other), "has no kernel 'other'");
  std::string retyped = manifest();
  const std::string input_type = R"("name":"input","tensor":"input","role":"input","direction":"input","kind":"buffer","type":"float32")";
  BOOST_TEST_REQUIRE(retyped.find(input_type) != std::string::npos);
  retyped.replace(retyped.find(input_type), input_type.size(),
                  R"("name":"input","tensor":"input","role":"input","direction":"input","kind":"buffer","type":"int32")");
  load_fails(variant("retyped", retyped), "does not match the manifest");
  const std::string lonely = variant("noso", manifest());
  fs::remove(lonely + ".so");
  load_fails(lonely, "noso.so: the kernel's shared object is missing");
  fs::remove_all(scratch("x").parent_path());
}

BOOST_AUTO_TEST_CASE(a_kernel_not_compiled_to_time_its_stages_says_so) {
  auto k = load_ok();
  cpq::runtime::KernelProfile p;
  std::string error;
  BOOST_TEST(!k->profile(p, error));
  BOOST_TEST(error.find("not compiled to time its stages") != std::string::npos, error);
  BOOST_TEST(error.find("loaded_net.so") != std::string::npos, error);
  k->reset_profile(); // nothing to reset: harmless
}

BOOST_AUTO_TEST_CASE(a_timed_manifest_needs_a_boolean) {
  std::string text = manifest();
  text.insert(text.rfind('}'), ", \"timed\": 1");
  load_fails(variant("timed_number", text), "\"timed\" is not true or false");
}

BOOST_AUTO_TEST_CASE(a_manifest_names_a_device_the_loader_knows) {
  // "device" says a GPU kernel's buffers are moved by the loader: written
  // only when set, read back as written, and only "opencl" or "cuda".
  std::string text = manifest();
  Manifest m;
  std::string error;
  BOOST_TEST_REQUIRE(parse_manifest(text, "loaded_net.json", m, error), error);
  BOOST_TEST(m.device.empty());
  BOOST_TEST(manifest_json(m).find("\"device\"") == std::string::npos);
  m.device = "cuda";
  Manifest back;
  BOOST_TEST_REQUIRE(parse_manifest(manifest_json(m), "cuda.json", back, error), error);
  BOOST_TEST(back.device == "cuda");
  text.insert(text.rfind('}'), ", \"device\": \"vulkan\"");
  load_fails(variant("device_vulkan", text), "\"device\" is not \"opencl\" or \"cuda\"");
}

BOOST_AUTO_TEST_CASE(productions_of_one_fused_loop_share_its_time) {
  // A timed kernel's trace events, at chosen times: a production alone gets
  // its whole time; productions open together (outputs fused by
  // compute_with, whose productions nest) share each interval equally, so
  // that the stages' times add up to the wall time; nobody gets the time
  // between productions.
  StageTimes t;
  const StageTimes::Clock::time_point t0{};
  auto at = [&](int us) { return t0 + std::chrono::microseconds(us); };
  t.end_production(t.begin_production("conv", at(0)), at(10));
  const std::int32_t p = t.begin_production("w_out", at(20)), m = t.begin_production("w_adam_m_out", at(20));
  const std::int32_t v = t.begin_production("w_adam_v_out", at(26));
  t.end_production(v, at(50));
  t.end_production(m, at(50));
  t.end_production(p, at(56));
  BOOST_TEST(t.func_ns.at("conv") == 10000.0);
  BOOST_TEST(t.func_ns.at("w_adam_v_out") == 8000.0);        // 24 us among three
  BOOST_TEST(t.func_ns.at("w_adam_m_out") == 3000.0 + 8000.0); // and 6 among two
  BOOST_TEST(t.func_ns.at("w_out") == 3000.0 + 8000.0 + 6000.0);
  BOOST_TEST(t.open.empty());
  t.end_production(12345, at(60)); // an id never begun: nothing charged
  BOOST_TEST(t.func_ns.size() == 4u);
}

BOOST_AUTO_TEST_CASE(profiles_are_read_as_ops_and_passes) {
  // What a timed kernel records: the lowering's Funcs, named after their op
  // and its counter, the op's own Funcs after that, and the overhead.
  cpq::runtime::KernelProfile p;
  p.runs = 4, p.ms = 44;
  p.funcs = {{"overhead", 4},
             {"conv2d_3", 2},
             {"conv2d_3_acc", 6},
             {"conv2d_3_filter_oc", 2},
             {"conv2d_grad_input_12_acc", 12},
             {"quantize_grad_7_edge_sums", 8},
             {"quantize_grad_7$1", 2},
             {"adam_update_30_param", 4},
             {"fc1_weight_adam_m_out", 1},
             {"fc1_weight_adam_m_out$1", 1},
             {"bias_grad_9", 2},
             {"relu_5", 0}};
  const auto ops = cpq::runtime::profile_by_op(p);
  BOOST_TEST_REQUIRE(ops.size() == 7u); // relu_5 took no time
  BOOST_TEST(ops[0].op == "conv2d_grad_input_12");
  BOOST_TEST(ops[0].kind == "conv2d_grad_input");
  BOOST_TEST(ops[0].pass == "backward");
  BOOST_TEST(ops[0].ms == 3.0); // per call
  auto find = [&](const std::string &op) {
    for (const auto &o : ops)
      if (o.op == op) return o;
    BOOST_FAIL("no op " << op);
    return ops[0];
  };
  BOOST_TEST(find("conv2d_3").ms == 2.5);
  BOOST_TEST(find("conv2d_3").funcs == 3);
  BOOST_TEST(find("conv2d_3").pass == "forward");
  BOOST_TEST(find("quantize_grad_7").ms == 2.5);
  BOOST_TEST(find("quantize_grad_7").pass == "backward");
  BOOST_TEST(find("adam_update_30").pass == "update");
  BOOST_TEST(find("fc1_weight_adam_m_out").pass == "update");
  BOOST_TEST(find("fc1_weight_adam_m_out").funcs == 2); // Halide's "$1" of a repeated name
  BOOST_TEST(find("fc1_weight_adam_m_out").ms == 0.5);
  BOOST_TEST(find("bias_grad_9").pass == "backward");
  BOOST_TEST(find("overhead").pass == "overhead");
  const std::string table = cpq::runtime::profile_table(p, "train_step", 3);
  BOOST_TEST(table.find("train_step: 4 calls, 11.000 ms a call") != std::string::npos, table);
  BOOST_TEST(table.find("(4 more ops)") != std::string::npos, table);
  BOOST_TEST(table.find("by pass: forward 2.500 ms (23%), backward 6.000 ms (55%), update 1.500 ms (14%), "
                        "overhead 1.000 ms (9%)") != std::string::npos,
             table);
  const std::string csv = cpq::runtime::profile_csv(p, "train_step", true);
  BOOST_TEST(csv.rfind("kernel,op,kind,pass,ms_per_call,share\ntrain_step,conv2d_grad_input_12,conv2d_grad_input,"
                       "backward,3.000000,0.272727\n",
                       0) == 0,
             csv);
}
