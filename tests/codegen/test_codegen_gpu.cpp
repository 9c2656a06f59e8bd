//===- test_codegen_gpu.cpp - GPU kernels against the CPU's -----------------===//
//
// Functions of the dialect are lowered, JIT-compiled twice, with the x86
// family's hand schedule for the host and with the gpu family's for
// host-opencl (OpenCL runs on the CPU through PoCL, Debian's
// pocl-opencl-icd), and run on the same random inputs: the float outputs
// agree within 1e-4 relative plus a small floor, integer outputs exactly.
// The CPU kernels are checked against the scalar reference elsewhere
// (test_codegen_layers, test_codegen_training); here the GPU schedules
// must compute the same functions.
//
//===----------------------------------------------------------------------===//
#define BOOST_TEST_MODULE codegen_gpu
#include <boost/test/unit_test.hpp>

#include "codegen_harness.h"

#include "codegen/aot.h"
#include "cpq/runtime/kernel.h"
#include "cpq/runtime/safetensors.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

using namespace cpq;
using namespace cpq::testing;
using reference::Tensor;

namespace {

/// The OpenCL target of this CPU.
Halide::Target opencl_target() { return codegen::host_target().with_feature(Halide::Target::OpenCL); }

/// One function's inputs: random tensors (parameters, moments, alpha and
/// sigma positive, as training keeps them), labels below `classes`, the
/// step's scalars.
struct Inputs {
  std::vector<Tensor> tensors;
  std::vector<std::vector<int32_t>> labels;
};

Inputs make_inputs(const codegen::LoweredFunction &f, int batch, int classes, std::mt19937 &rng) {
  Inputs in;
  for (const codegen::LoweredInput &x : f.inputs) {
    std::vector<int64_t> shape = x.shape;
    for (int64_t &e : shape)
      if (e < 0) e = batch;
    in.tensors.emplace_back(), in.labels.emplace_back();
    if (!x.buffer) continue;
    if (x.type == Halide::Int(32)) {
      int64_t n = 1;
      for (int64_t e : shape) n *= e;
      for (int64_t k = 0; k < n; ++k) in.labels.back().push_back(int32_t(rng() % unsigned(classes)));
    } else {
      in.tensors.back() = random_tensor(shape, rng, 0.05f, 0.6f);
    }
  }
  return in;
}

/// Runs `c` on `in` (the same scalars every time: step 3, seed 7, learning
/// rate 1e-3).
std::vector<Tensor> run(Compiled &c, const Inputs &in, int batch) {
  for (std::size_t k = 0; k < c.lowered.inputs.size(); ++k) {
    const codegen::LoweredInput &x = c.lowered.inputs[k];
    if (x.buffer && x.type == Halide::Int(32)) c.set_labels(int(k), in.labels[k]);
    else if (x.buffer) c.set(int(k), in.tensors[k]);
    else if (x.type == Halide::Float(32)) c.set_scalar(int(k), 1e-3f);
    else c.set_scalar(int(k), int64_t(x.role == runtime::roles::seed ? 7 : 3));
  }
  return c.run(batch);
}

/// How many of the ops' result Funcs run on the device, of how many.
std::pair<int, int> on_device(const codegen::LoweredFunction &f) {
  int device = 0, all = 0;
  for (const codegen::LoweredStage &s : f.stages)
    for (const Halide::Func &func : s.funcs) {
      if (!func.defined() || func.dimensions() == 0) continue;
      ++all;
      bool gpu = false;
      for (const Halide::Internal::Dim &d : func.function().definition().schedule().dims())
        gpu = gpu || d.for_type == Halide::Internal::ForType::GPUBlock;
      device += gpu;
    }
  return {device, all};
}

/// How many Funcs of f are stored in a GPU block's shared memory (operands
/// of the dense layers' sums, staged a chunk of the reduction at a time).
int staged_in_shared(const codegen::LoweredFunction &f) {
  std::map<std::string, Halide::Internal::Function> env;
  for (const Halide::Func &o : f.output_funcs())
    for (auto &kv : Halide::Internal::find_transitive_calls(o.function())) env.insert(kv);
  // A stage's staged operands are wrappers of the operands (Func::in),
  // kept in the operands' schedules.
  int n = 0;
  for (const auto &kv : env)
    for (const auto &wrapper : kv.second.schedule().wrappers())
      n += Halide::Internal::Function(wrapper.second).schedule().memory_type() == Halide::MemoryType::GPUShared;
  return n;
}

/// Compiles `function` of `source` for the host and for OpenCL, runs both
/// on the same inputs and compares every output; most ops must run on the
/// device (not all left on the host).
int check_gpu_equals_cpu(const std::string &source, const std::string &function, int batch, int classes,
                         bool exact = false) {
  BOOST_TEST_CHECKPOINT(function << ": compiling for the host");
  Compiled cpu(source, function, "hand");
  BOOST_TEST_CHECKPOINT(function << ": compiling for " << opencl_target().to_string());
  Compiled gpu(source, function, "hand", {}, opencl_target());
  const auto [device, all] = on_device(gpu.lowered);
  BOOST_TEST_MESSAGE(function << ": " << device << " of " << all << " ops' results computed on the device");
  BOOST_TEST(2 * device > all, function << ": only " << device << " of " << all << " ops' results on the device");
  std::mt19937 rng(5);
  const Inputs in = make_inputs(cpu.lowered, batch, classes, rng);
  const std::vector<Tensor> want = run(cpu, in, batch);
  BOOST_TEST_CHECKPOINT(function << ": running on OpenCL");
  const std::vector<Tensor> got = run(gpu, in, batch);
  BOOST_TEST_REQUIRE(got.size() == want.size());
  for (std::size_t k = 0; k < want.size(); ++k) {
    std::string where;
    if (exact) {
      std::size_t differ = 0, first = 0;
      for (std::size_t i = got[k].data.size(); i-- > 0;)
        if (got[k].data[i] != want[k].data[i]) ++differ, first = i;
      BOOST_TEST(differ == 0u, cpu.lowered.outputs[k].name << ": " << differ << " of " << want[k].data.size()
                                                         << " values differ, the first at " << first << ": "
                                                         << got[k].data[first] << " vs " << want[k].data[first]);
    }
    else BOOST_TEST(all_close(got[k], want[k], 1e-4, 1e-5, where), cpu.lowered.outputs[k].name << ": " << where);
  }
  BOOST_TEST(gpu.ints == cpu.ints, "integer outputs (correct counts) equal");
  return staged_in_shared(gpu.lowered);
}

/// Writes parameters that look trained for every cpq.param of `network` to
/// `path` (as tests/dialect/Inputs/random_params.py): positive scales and
/// variances, the input quantizer's 1/255 step, small random weights.
void write_random_params(const std::string &network, const std::string &path) {
  const std::regex param(R"re(cpq\.param "([^"]+)"[^\n]*: tensor<([0-9x]+)xf32>)re");
  std::mt19937 rng(11);
  std::uniform_real_distribution<float> scale(0.05f, 0.2f), var(0.5f, 2.0f);
  std::normal_distribution<float> weight(0.0f, 0.1f);
  safetensors::File file;
  for (std::sregex_iterator it(network.begin(), network.end(), param), end; it != end; ++it) {
    const std::string name = (*it)[1];
    std::vector<int64_t> shape;
    std::stringstream dims((*it)[2].str());
    for (std::string d; std::getline(dims, d, 'x');) shape.push_back(std::stoll(d));
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    const std::string kind = name.substr(name.find_last_of('.') + 1);
    std::vector<float> v(static_cast<std::size_t>(n));
    for (float &x : v)
      x = name == "input.alpha"                 ? 1.0f / 255
          : name == "input.sigma"               ? 1.0f / 1020
          : kind == "alpha" || kind == "sigma" ? scale(rng)
          : kind == "var"                       ? var(rng)
          : kind == "gates"                     ? 3.0f
                                                : weight(rng);
    file.tensors.push_back(safetensors::make_f32(name, shape, v));
  }
  std::string error;
  BOOST_TEST_REQUIRE(safetensors::write(path, file, error), error);
}

/// `network`'s packed inference function (cpq-inference-pipeline) on
/// parameters that look trained (write_random_params).
std::string packed_inference(const std::string &network) {
  namespace fs = std::filesystem;
  char dir_template[] = "/tmp/cpq_gpu_XXXXXX";
  BOOST_TEST_REQUIRE(mkdtemp(dir_template) != nullptr);
  const fs::path params = fs::path(dir_template) / "params.safetensors";
  write_random_params(network, params.string());
  const std::string inference = run_pipeline(network, "cpq-inference-pipeline{params=" + params.string() + "}");
  fs::remove_all(dir_template);
  return inference;
}

} // namespace

BOOST_AUTO_TEST_CASE(opencl_is_prepared_in_process) {
  // PoCL loaded first with its own LLVM's symbols (cpq/runtime/kernel.h): the
  // tests below run OpenCL kernels in the process that compiles them.
  BOOST_TEST(runtime::prepare_opencl_in_process(), "PoCL (pocl-opencl-icd) is installed");
}

// conv2d, batch norm, ReLU, a residual addition, average and (overlapping)
// max pooling, flatten, dense, a 2-bit DropBits quantizer, the loss and
// Adam, forward and backward.
BOOST_AUTO_TEST_CASE(small_network_train_and_eval_steps_on_opencl_equal_the_cpu) {
  const std::string source = run_pipeline(read_text_file(CPQ_SMALL_NET), "cpq-train-pipeline");
  check_gpu_equals_cpu(source, "train_step", 5, 3);
  check_gpu_equals_cpu(source, "eval_step", 7, 3);
}

// Dense layers of awkward sizes (37 inputs, 13 and 3 outputs, a batch of 19:
// none a multiple of a tile or of the chunk of 16), quantized W3A3 and in
// float: their sums read their operands from shared memory, a chunk of the
// reduction (inputs, outputs, or the batch for the weight gradient) at a
// time, and agree with the CPU's.
BOOST_AUTO_TEST_CASE(dense_layers_staged_in_shared_memory_equal_the_cpu) {
  const std::string net = R"(
func @net(%x: tensor<?x37xf32>) -> tensor<?x3xf32> {
  %w1 = cpq.param "w1" {init = "he_normal"} : tensor<13x37xf32>
  %b1 = cpq.param "b1" {init = "zeros"} : tensor<13xf32>
  %h = cpq.dense %x, %w1, %b1 : (tensor<?x37xf32>, tensor<13x37xf32>, tensor<13xf32>) -> tensor<?x13xf32>
  %r = cpq.relu %h : tensor<?x13xf32>
  %w2 = cpq.param "w2" {init = "he_normal"} : tensor<3x13xf32>
  %b2 = cpq.param "b2" {init = "zeros"} : tensor<3xf32>
  %y = cpq.dense %r, %w2, %b2 : (tensor<?x13xf32>, tensor<3x13xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  return %y : tensor<?x3xf32>
}
)";
  const int in_float = check_gpu_equals_cpu(run_pipeline(net, "cpq-train-pipeline"), "train_step", 19, 3);
  BOOST_TEST(in_float >= 6, "float: " << in_float << " operands staged in shared memory");
  const std::string quantized = run_pipeline(net, "cpq-quantize-network{weight-bits=3 activation-bits=3}");
  const int in_w3a3 = check_gpu_equals_cpu(run_pipeline(quantized, "cpq-train-pipeline"), "train_step", 19, 3);
  BOOST_TEST(in_w3a3 >= 6, "W3A3: " << in_w3a3 << " operands staged in shared memory");

  // Its packed inference: the integer products of packed 3-bit weights,
  // staged as well, bit for bit.
  const std::string inference = packed_inference(quantized);
  const int in_packed = check_gpu_equals_cpu(inference, "inference", 19, 3, true);
  BOOST_TEST(in_packed >= 2, "packed: " << in_packed << " operands staged in shared memory");
}

// The second-order backward pass (--cpq-expand-hessian: the Gauss-Newton
// diagonal through a padded convolution, max pooling, ReLUs and dense layers,
// the diagonal's squared weights and the loss's Hessian) on OpenCL, as on
// the CPU (test_codegen_hessian checks the CPU's against the reference).
BOOST_AUTO_TEST_CASE(hessian_diagonal_on_opencl_equals_the_cpu) {
  const std::string net = read_text_file(CPQ_HESSIAN_NET);
  check_gpu_equals_cpu(run_pipeline(net, "cpq-expand-hessian"), "hessian_diag", 5, 3);
}

// LeNet-5 W2A2: quantized weights and activations, tiling max pools with the
// quantizer's gradient taken at their argmax, one-channel convolutions.
BOOST_AUTO_TEST_CASE(lenet5_w2a2_train_step_on_opencl_equals_the_cpu) {
  const std::string source = run_pipeline(read_text_file(CPQ_LENET5_W2A2), "cpq-train-pipeline");
  check_gpu_equals_cpu(source, "train_step", 3, 10);
}

// LeNet-5 W2A2's packed inference (cpq-inference-pipeline on parameters that
// look trained): encoded inputs, packed 2-bit weights unpacked on the device,
// int32 products of the convolutions and dense layers, requantization to the
// next layer's levels, max pooling on levels; the CPU's kernel multiplies by
// the extern qgemm on panels, the GPU's by Halide contractions
// (codegen::for_gpu). Both are exact: the logits agree bit for bit.
BOOST_AUTO_TEST_CASE(lenet5_w2a2_packed_inference_on_opencl_equals_the_cpu_bit_for_bit) {
  const std::string source = packed_inference(read_text_file(CPQ_LENET5_W2A2));
  check_gpu_equals_cpu(source, "inference", 9, 10, true);
}

// A small float network quantized by cpq-opt two other ways: learned
// bit-widths (gated W3A3: every sub-grid's edge loops, the gates' draws on
// the host, their sums over channels) and independent DropBits masks (W4A4:
// the per-call survivor tables, the edge loops over any survivors).
BOOST_AUTO_TEST_CASE(gated_and_independent_mask_quantizers_on_opencl_equal_the_cpu) {
  const std::string net = R"(
func @net(%x: tensor<?x1x8x8xf32>) -> tensor<?x4xf32> {
  %w1 = cpq.param "w1" {init = "he_normal"} : tensor<4x1x3x3xf32>
  %b1 = cpq.param "b1" {init = "zeros"} : tensor<4xf32>
  %c1 = cpq.conv2d %x, %w1, %b1 : (tensor<?x1x8x8xf32>, tensor<4x1x3x3xf32>, tensor<4xf32>) -> tensor<?x4x6x6xf32>
  %r1 = cpq.relu %c1 : tensor<?x4x6x6xf32>
  %p1 = cpq.maxpool2d %r1 {kernel = [2, 2]} : (tensor<?x4x6x6xf32>) -> tensor<?x4x3x3xf32>
  %f = cpq.flatten %p1 : (tensor<?x4x3x3xf32>) -> tensor<?x36xf32>
  %w2 = cpq.param "w2" {init = "he_normal"} : tensor<4x36xf32>
  %b2 = cpq.param "b2" {init = "zeros"} : tensor<4xf32>
  %y = cpq.dense %f, %w2, %b2 : (tensor<?x36xf32>, tensor<4x36xf32>, tensor<4xf32>) -> tensor<?x4xf32>
  return %y : tensor<?x4xf32>
}
)";
  for (const char *quantize : {"cpq-quantize-network{weight-bits=3 activation-bits=3 learn-bits=true gate-lambda=1e-4}",
                               "cpq-quantize-network{weight-bits=4 activation-bits=4 dropbits-p=0.5 dropbits=independent}"}) {
    BOOST_TEST_CHECKPOINT(quantize);
    const std::string source = run_pipeline(run_pipeline(net, quantize), "cpq-train-pipeline");
    check_gpu_equals_cpu(source, "train_step", 6, 4);
  }
}

// The convolutions LeNet-5 lacks (the VGG-style network's families, small):
// strided with padding, grouped, depthwise, and overlapping max-pool
// windows with a stride, quantized W3A3 by cpq-opt; its train_step, and
// its packed inference (grouped packed convolutions) bit for bit.
BOOST_AUTO_TEST_CASE(strided_grouped_padded_convolutions_on_opencl_equal_the_cpu) {
  const std::string net = R"(
func @net(%x: tensor<?x4x9x9xf32>) -> tensor<?x5xf32> {
  %w1 = cpq.param "w1" {init = "he_normal"} : tensor<6x2x3x3xf32>
  %b1 = cpq.param "b1" {init = "zeros"} : tensor<6xf32>
  %c1 = cpq.conv2d %x, %w1, %b1 {stride = [2, 2], padding = [1, 1], groups = 2} : (tensor<?x4x9x9xf32>, tensor<6x2x3x3xf32>, tensor<6xf32>) -> tensor<?x6x5x5xf32>
  %r1 = cpq.relu %c1 : tensor<?x6x5x5xf32>
  %w2 = cpq.param "w2" {init = "he_normal"} : tensor<6x1x3x3xf32>
  %c2 = cpq.conv2d %r1, %w2 {padding = [1, 1], groups = 6} : (tensor<?x6x5x5xf32>, tensor<6x1x3x3xf32>) -> tensor<?x6x5x5xf32>
  %r2 = cpq.relu %c2 : tensor<?x6x5x5xf32>
  %p = cpq.maxpool2d %r2 {kernel = [3, 3], stride = [2, 2]} : (tensor<?x6x5x5xf32>) -> tensor<?x6x2x2xf32>
  %f = cpq.flatten %p : (tensor<?x6x2x2xf32>) -> tensor<?x24xf32>
  %w3 = cpq.param "w3" {init = "he_normal"} : tensor<5x24xf32>
  %b3 = cpq.param "b3" {init = "zeros"} : tensor<5xf32>
  %y = cpq.dense %f, %w3, %b3 : (tensor<?x24xf32>, tensor<5x24xf32>, tensor<5xf32>) -> tensor<?x5xf32>
  return %y : tensor<?x5xf32>
}
)";
  const std::string quantized = run_pipeline(net, "cpq-quantize-network{weight-bits=3 activation-bits=3}");
  check_gpu_equals_cpu(run_pipeline(quantized, "cpq-train-pipeline"), "train_step", 5, 5);

  const std::string inference = packed_inference(quantized);
  BOOST_TEST(inference.find("groups = 2") != std::string::npos, "a grouped packed convolution");
  check_gpu_equals_cpu(inference, "inference", 7, 5, true);
}

// The same train_step compiled ahead of time for host-opencl, loaded and
// called through the runtime's kernel loader with host buffers: the
// manifest names the device, and the loader copies the inputs in and the
// outputs back.
BOOST_AUTO_TEST_CASE(an_opencl_kernel_runs_through_the_loader) {
  namespace fs = std::filesystem;
  char dir_template[] = "/tmp/cpq_gpu_XXXXXX";
  BOOST_TEST_REQUIRE(mkdtemp(dir_template) != nullptr);
  const fs::path dir(dir_template);
  codegen::AotOptions o;
  o.input = CPQ_SMALL_NET, o.function = "train_step", o.pipeline = "cpq-train-pipeline";
  o.output = (dir / "train_step").string(), o.targets = {"host-opencl"};
  std::string error;
  BOOST_TEST_REQUIRE(codegen::compile_aot(o, error), error);
  const std::unique_ptr<runtime::Kernel> kernel = runtime::Kernel::load(o.output, error);
  BOOST_TEST_REQUIRE(bool(kernel), error);
  BOOST_TEST(kernel->manifest().device == "opencl");

  const int batch = 5;
  Compiled cpu(run_pipeline(read_text_file(CPQ_SMALL_NET), "cpq-train-pipeline"), "train_step", "hand");
  std::mt19937 rng(5);
  const Inputs in = make_inputs(cpu.lowered, batch, 3, rng);
  const std::vector<Tensor> want = run(cpu, in, batch);

  std::map<std::string, halide_buffer_t *> buffers;
  std::map<std::string, runtime::Scalar> scalars;
  std::vector<Halide::Buffer<>> storage;
  const std::vector<runtime::KernelArgument> &args = kernel->arguments();
  std::size_t input = 0, output = 0;
  for (const runtime::KernelArgument &a : args) {
    if (!a.buffer) {
      const codegen::LoweredInput &x = cpu.lowered.inputs.at(input++);
      scalars[a.name] = x.type == Halide::Float(32)
                            ? runtime::Scalar::of(1e-3)
                            : runtime::Scalar{0, x.role == runtime::roles::seed ? 7 : 3, true};
      continue;
    }
    if (!a.output) {
      const std::size_t k = input++;
      if (a.type == halide_type_t(halide_type_int, 32)) {
        Halide::Buffer<int32_t> b(int(in.labels[k].size()));
        std::copy(in.labels[k].begin(), in.labels[k].end(), b.data());
        storage.push_back(b);
      } else {
        storage.push_back(to_buffer(in.tensors[k]));
      }
    } else {
      storage.push_back(codegen::make_outputs(cpu.lowered, batch)[output++]);
    }
    buffers[a.name] = storage.back().raw_buffer();
  }
  BOOST_TEST_REQUIRE(kernel->call(buffers, scalars, error), error);
  std::size_t k = 0;
  for (const runtime::KernelArgument &a : args) {
    if (!a.output) continue;
    const Halide::Buffer<> b(*buffers.at(a.name));
    BOOST_TEST(b.raw_buffer()->device == 0u, a.name << ": device memory freed after the call");
    if (a.type == halide_type_t(halide_type_float, 32)) {
      std::string where;
      BOOST_TEST(all_close(from_buffer(Halide::Buffer<float>(b)), want.at(k), 1e-4, 1e-5, where), a.name << ": " << where);
    } else {
      BOOST_TEST(Halide::Buffer<int32_t>(b)() == cpu.ints.at(0), a.name);
    }
    ++k;
  }
  fs::remove_all(dir);
}
