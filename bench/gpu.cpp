//===- gpu.cpp - training steps and packed products on a GPU --------------===//
//
// Finds the first GPU: a CUDA device (libcuda.so.1, NVIDIA's driver) or an
// OpenCL device of type GPU (libOpenCL.so.1 and an ICD). Without one it says
// so, lists the devices it saw (PoCL's CPU device, for instance) and exits
// 0, measuring nothing. With one it times, on that device and on this CPU:
//
//  - LeNet-5's train_step (examples/networks/lenet5.mlir, FP32 and W2A2 by
//    default: CPQ's quantizer, Adam) on Fashion-MNIST images, compiled for
//    the device (the gpu family of hand schedules) and for the host (the x86
//    family), the median images/s of --repeats runs of --steps steps, and
//    the first step compared (the loss, and each gradient normwise);
//  - the packed GEMM, cpq.qdense of M x K unsigned 8-bit levels by O x K
//    signed weights of 2, 4 and 8 bits packed in rows (the Halide
//    contraction GPU targets compute, codegen::for_gpu) against the CPU's
//    hand-written product on panels (cpq/kernels/qgemm.h, 2 threads); the
//    int32 results compared for equality.
//
// Every device figure includes the runtime's buffer traffic: a kernel call
// (runtime::Kernel::call) copies its inputs to the device and its outputs
// back, as cpq-train --target and cpq-run do today.
//
// When /usr/bin/python3's PyTorch has CUDA, the PyTorch peer
// (bench/peers/train_torch.py --device cuda) is timed on the GPU too.
//
// --any-device runs on the first OpenCL device of any type when there is no
// GPU (PoCL's CPU device here): that checks this program and the kernels end
// to end, and its figures are labelled as not a GPU's.
//
// --skip-train measures the packed GEMM only (the test bench_gpu_json runs
// it small, on any device, for its rows and the results' equality).
//
// Usage: bench/gpu [--json] [--any-device] [--repeats N] [--steps N]
//                  [--batches 64,256] [--bits FP32,W2A2] [--skip-train]
//                  [--gemm M,K,O] [--gemm-bits 2,4,8] [--cache DIR]
//
//===----------------------------------------------------------------------===//
#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>

#include "codegen/aot.h"
#include "codegen/network.h"
#include "panels.h"
#include "args.h"
#include "peer.h"
#include "roofline.h"
#include "train_step.h"

#include "cpq/kernels/packed_reference.h"
#include "cpq/runtime/kernel.h"
#include "cpq/runtime/tensor.h"

#include <nlohmann/json.hpp>

#include <dlfcn.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

constexpr int kThreads = 2;

[[noreturn]] void fail(const std::string &message) {
  std::fprintf(stderr, "bench/gpu: error: %s\n", message.c_str());
  std::exit(1);
}

/// One compute device seen.
struct Device {
  std::string api;      ///< "cuda" or "opencl"
  std::string platform; ///< OpenCL platform name; "NVIDIA CUDA" for CUDA
  std::string name;
  std::string type; ///< "gpu", "cpu", "accelerator", "other"
  int capability = 0; ///< CUDA: major * 10 + minor
};

/// The CUDA devices of NVIDIA's driver, if it is installed (`note` says
/// what was found).
std::vector<Device> cuda_devices(std::string &note) {
  void *lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    note = "CUDA: no driver (libcuda.so.1 not found)";
    return {};
  }
  using Init = int (*)(unsigned);
  using Count = int (*)(int *);
  using Get = int (*)(int *, int);
  using Name = int (*)(char *, int, int);
  using Attribute = int (*)(int *, int, int);
  auto init = reinterpret_cast<Init>(dlsym(lib, "cuInit"));
  auto count = reinterpret_cast<Count>(dlsym(lib, "cuDeviceGetCount"));
  auto get = reinterpret_cast<Get>(dlsym(lib, "cuDeviceGet"));
  auto name = reinterpret_cast<Name>(dlsym(lib, "cuDeviceGetName"));
  auto attribute = reinterpret_cast<Attribute>(dlsym(lib, "cuDeviceGetAttribute"));
  int n = 0;
  if (!init || !count || !get || !name || !attribute || init(0) != 0 || count(&n) != 0) {
    note = "CUDA: the driver did not initialise";
    return {};
  }
  std::vector<Device> out;
  for (int i = 0; i < n; ++i) {
    int dev = 0, major = 0, minor = 0;
    char text[256] = {};
    if (get(&dev, i) != 0 || name(text, sizeof text, dev) != 0) continue;
    attribute(&major, 75, dev); // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR
    attribute(&minor, 76, dev); // ..._MINOR
    out.push_back({"cuda", "NVIDIA CUDA", text, "gpu", major * 10 + minor});
  }
  note = "CUDA: " + std::to_string(out.size()) + " device(s)";
  return out;
}

/// The OpenCL devices of every platform the ICD loader finds.
std::vector<Device> opencl_devices(std::string &note) {
  // PoCL must be loaded before the ICD loader opens it in this process,
  // which also holds libHalide's LLVM (cpq/runtime/kernel.h).
  cpq::runtime::prepare_opencl_in_process();
  void *lib = dlopen("libOpenCL.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    note = "OpenCL: no ICD loader (libOpenCL.so.1 not found; Debian: ocl-icd-libopencl1)";
    return {};
  }
  using Platforms = cl_int (*)(cl_uint, cl_platform_id *, cl_uint *);
  using PlatformInfo = cl_int (*)(cl_platform_id, cl_platform_info, size_t, void *, size_t *);
  using Devices = cl_int (*)(cl_platform_id, cl_device_type, cl_uint, cl_device_id *, cl_uint *);
  using DeviceInfo = cl_int (*)(cl_device_id, cl_device_info, size_t, void *, size_t *);
  auto platforms = reinterpret_cast<Platforms>(dlsym(lib, "clGetPlatformIDs"));
  auto platform_info = reinterpret_cast<PlatformInfo>(dlsym(lib, "clGetPlatformInfo"));
  auto devices = reinterpret_cast<Devices>(dlsym(lib, "clGetDeviceIDs"));
  auto device_info = reinterpret_cast<DeviceInfo>(dlsym(lib, "clGetDeviceInfo"));
  cl_uint np = 0;
  if (!platforms || !platform_info || !devices || !device_info || platforms(0, nullptr, &np) != CL_SUCCESS || !np) {
    note = "OpenCL: no platform (no ICD installed)";
    return {};
  }
  std::vector<cl_platform_id> ps(np);
  platforms(np, ps.data(), nullptr);
  std::vector<Device> out;
  for (cl_platform_id p : ps) {
    char pname[256] = {};
    platform_info(p, CL_PLATFORM_NAME, sizeof pname - 1, pname, nullptr);
    cl_uint nd = 0;
    if (devices(p, CL_DEVICE_TYPE_ALL, 0, nullptr, &nd) != CL_SUCCESS || !nd) continue;
    std::vector<cl_device_id> ds(nd);
    devices(p, CL_DEVICE_TYPE_ALL, nd, ds.data(), nullptr);
    for (cl_device_id d : ds) {
      char dname[256] = {};
      cl_device_type type = 0;
      device_info(d, CL_DEVICE_NAME, sizeof dname - 1, dname, nullptr);
      device_info(d, CL_DEVICE_TYPE, sizeof type, &type, nullptr);
      const std::string t = type & CL_DEVICE_TYPE_GPU           ? "gpu"
                            : type & CL_DEVICE_TYPE_CPU         ? "cpu"
                            : type & CL_DEVICE_TYPE_ACCELERATOR ? "accelerator"
                                                                : "other";
      out.push_back({"opencl", pname, dname, t, 0});
    }
  }
  note = "OpenCL: " + std::to_string(out.size()) + " device(s)";
  return out;
}

/// The Halide target for `d`: host-cuda with the highest capability Halide
/// 14 knows at or below the device's, or host-opencl (the OpenCL runtime
/// told the device's platform and type through its environment variables).
std::string target_for(const Device &d) {
  if (d.api == "cuda") {
    int best = 30;
    for (int c : {30, 32, 35, 50, 61, 70, 75, 80, 86})
      if (c <= d.capability) best = c;
    return "host-cuda-cuda_capability_" + std::to_string(best);
  }
  ::setenv("HL_OCL_PLATFORM_NAME", d.platform.c_str(), 1);
  ::setenv("HL_OCL_DEVICE_TYPE", d.type == "gpu" ? "gpu" : d.type == "cpu" ? "cpu" : "acc", 1);
  return "host-opencl";
}

/// How far the device's first step is from the CPU's: the loss's relative
/// difference, and the largest normwise relative difference
/// max|a - b| / max|b| of a gradient, read from Adam's first moments after
/// step 1 (0.1 g). Parameters are not compared: Adam's first update is
/// +-lr by the gradient's sign, which rounding flips where a gradient is
/// about 0.
struct StepDifference {
  double loss = -1, gradient = -1;
  std::string where; ///< the gradient of the largest difference
};
StepDifference step_difference(const cpq::bench::StepOutputs &device, const cpq::bench::StepOutputs &cpu) {
  StepDifference d;
  d.gradient = 0;
  for (const auto &[name, want] : cpu) {
    auto it = device.find(name);
    if (it == device.end() || it->second.size() != want.size()) fail("the device's kernel lacks output " + name);
    if (name == "loss") d.loss = std::abs(double(it->second[0]) - want[0]) / std::abs(double(want[0]));
    if (name.find("adam_m_out") == std::string::npos) continue;
    double diff = 0, scale = 0;
    for (std::size_t i = 0; i < want.size(); ++i)
      diff = std::max(diff, std::abs(double(it->second[i]) - want[i])), scale = std::max(scale, std::abs(double(want[i])));
    if (scale > 0 && diff / scale > d.gradient) d.gradient = diff / scale, d.where = name;
  }
  return d;
}

struct TrainRow {
  std::string bits;
  int batch = 0;
  double device_img_s = -1, cpu_img_s = -1, torch_img_s = -1;
  StepDifference first; ///< the first step's outputs, device against CPU
};

struct GemmRow {
  int bits = 0;
  double device_s = -1, cpu_s = -1;
  bool equal = false;
};

/// Seconds of one cpq.qdense call on the device (median of `repeats`) and
/// of the CPU's qgemm, and whether their int32 results are equal.
GemmRow time_gemm(int bits, std::int64_t m, std::int64_t k, std::int64_t o, const std::string &target, int repeats,
                  const std::string &scratch) {
  using namespace cpq;
  const GridSpec g{GridKind::Signed, bits};
  const std::int64_t row_bytes = reference::packed_row_bytes(k, bits);
  std::ostringstream mlir;
  const std::string X = "tensor<?x" + std::to_string(k) + "xui8>",
                    P = "tensor<" + std::to_string(o) + "x" + std::to_string(row_bytes) + "xui8>",
                    Y = "tensor<?x" + std::to_string(o) + "xi32>";
  mlir << "func @gemm(%x: " << X << ", %p: " << P << ") -> " << Y << " {\n  %y = cpq.qdense %x, %p {grid = \"signed\", "
       << "bits = " << bits << "} : (" << X << ", " << P << ") -> " << Y << "\n  return %y : " << Y << "\n}\n";
  const std::string source = scratch + "/gemm" + std::to_string(bits) + ".mlir";
  std::ofstream(source) << mlir.str();
  codegen::AotOptions a;
  a.input = source, a.function = "gemm", a.output = scratch + "/gemm" + std::to_string(bits), a.targets = {target};
  std::string error;
  if (!codegen::compile_aot(a, error)) fail(error);
  auto kernel = runtime::Kernel::load(a.output, error);
  if (!kernel) fail(error);

  std::mt19937_64 rng(40 + bits);
  std::vector<std::int32_t> levels(static_cast<std::size_t>(o * k));
  for (auto &v : levels) v = g.level_of_code(int(rng() % unsigned(g.num_points())));
  const std::vector<std::uint8_t> rows = reference::pack_weight_levels(g, levels.data(), o, k);
  const PanelWeights panels = to_panels(g, levels.data(), o, k);
  runtime::HostTensor x(halide_type_t(halide_type_uint, 8), {m, k}), p(halide_type_t(halide_type_uint, 8), {o, row_bytes}),
      y(halide_type_t(halide_type_int, 32), {m, o});
  for (std::size_t i = 0; i < x.count(); ++i) x.data<std::uint8_t>()[i] = std::uint8_t(rng());
  std::copy(rows.begin(), rows.end(), p.data<std::uint8_t>());
  std::string xname, pname, yname;
  for (const runtime::KernelArgument &arg : kernel->arguments())
    (arg.output ? yname : xname.empty() ? xname : pname) = arg.name;
  GemmRow r;
  r.bits = bits;
  auto device = [&] {
    if (!kernel->call({{xname, x.buffer()}, {pname, p.buffer()}, {yname, y.buffer()}}, {}, error))
      fail("gemm: " + error);
  };
  device();
  r.device_s = bench::median_seconds(repeats, device);
  std::vector<std::int32_t> sums(static_cast<std::size_t>(m)), c(static_cast<std::size_t>(m * o));
  row_sums_u8(x.data<std::uint8_t>(), m, k, k, sums.data());
  auto cpu = [&] { bench::parallel_qgemm(panels, x.data<std::uint8_t>(), m, sums.data(), c.data(), kThreads); };
  cpu();
  r.cpu_s = bench::median_seconds(repeats, cpu);
  r.equal = std::equal(c.begin(), c.end(), y.data<std::int32_t>());
  return r;
}

} // namespace

int main(int argc, char **argv) {
  bool json = false, any_device = false, skip_train = false;
  int repeats = 5, steps = 10;
  std::vector<int> batches = {64, 256};
  std::vector<std::string> bits = {"FP32", "W2A2"};
  std::vector<int> gemm_bits = {2, 4, 8};
  std::int64_t gm = 256, gk = 4096, go = 4096;
  std::string cache = cpq::codegen::default_cache();
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) fail(a + " needs a value");
      return argv[++i];
    };
    auto positive = [&](const std::string &v) {
      char *end = nullptr;
      const long n = std::strtol(v.c_str(), &end, 10);
      if (v.empty() || *end || n < 1) fail(a + " takes positive integers, got '" + v + "'");
      return n;
    };
    if (a == "--json") json = true;
    else if (a == "--any-device") any_device = true;
    else if (a == "--skip-train") skip_train = true;
    else if (a == "--repeats") repeats = int(positive(value()));
    else if (a == "--steps") steps = int(positive(value()));
    else if (a == "--cache") cache = value();
    else if (a == "--bits") bits = cpq::bench::split_list(value());
    else if (a == "--batches") {
      batches.clear();
      for (const std::string &b : cpq::bench::split_list(value())) batches.push_back(int(positive(b)));
    } else if (a == "--gemm-bits") {
      gemm_bits.clear();
      for (const std::string &b : cpq::bench::split_list(value())) {
        const long n = positive(b);
        if (n > 8) fail("--gemm-bits takes 1 to 8, got " + b);
        gemm_bits.push_back(int(n));
      }
    } else if (a == "--gemm") {
      const std::vector<std::string> s = cpq::bench::split_list(value());
      if (s.size() != 3) fail("--gemm takes M,K,O");
      gm = positive(s[0]), gk = positive(s[1]), go = positive(s[2]);
    } else {
      std::fprintf(stderr,
                   "usage: %s [--json] [--any-device] [--repeats N] [--steps N] [--batches 64,256] [--bits FP32,W2A2] "
                   "[--skip-train] [--gemm M,K,O] [--gemm-bits 2,4,8] [--cache DIR]\n",
                   argv[0]);
      return a == "--help" ? 0 : 1;
    }
  }
  ::setenv("HL_NUM_THREADS", std::to_string(kThreads).c_str(), 1);

  std::string cuda_note, opencl_note;
  std::vector<Device> seen = cuda_devices(cuda_note);
  for (Device &d : opencl_devices(opencl_note)) seen.push_back(d);
  const Device *chosen = nullptr;
  for (const Device &d : seen)
    if (!chosen && d.type == "gpu") chosen = &d;
  const bool gpu = chosen != nullptr;
  if (!chosen && any_device)
    for (const Device &d : seen)
      if (!chosen && d.api == "opencl") chosen = &d;

  nlohmann::ordered_json j;
  j["gpu_found"] = gpu;
  j["devices"] = nlohmann::ordered_json::array();
  for (const Device &d : seen)
    j["devices"].push_back({{"api", d.api}, {"platform", d.platform}, {"name", d.name}, {"type", d.type}});
  j["notes"] = {cuda_note, opencl_note};
  if (!json) {
    std::printf("devices: %s; %s\n", cuda_note.c_str(), opencl_note.c_str());
    for (const Device &d : seen)
      std::printf("  %-6s %-28s %-4s %s\n", d.api.c_str(), d.platform.c_str(), d.type.c_str(), d.name.c_str());
  }
  if (!chosen) {
    j["measured"] = false;
    if (json) std::printf("%s\n", j.dump(2).c_str());
    else
      std::printf("no GPU device found: nothing measured (--any-device runs on an OpenCL device of another type, "
                  "such as PoCL's CPU device, to check the kernels, not to time a GPU)\n");
    return 0;
  }
  const std::string target = target_for(*chosen);
  const std::string label = gpu ? "GPU" : "not a GPU: " + chosen->type + " device";
  j["measured"] = true;
  j["device"] = {{"api", chosen->api}, {"platform", chosen->platform}, {"name", chosen->name}, {"type", chosen->type},
                 {"target", target}, {"is_gpu", gpu}};
  auto note = [&](const std::string &m) {
    if (!json) std::fprintf(stderr, "bench/gpu: %s\n", m.c_str());
  };
  note("measuring on " + chosen->name + " (" + label + "), target " + target);

  // PyTorch on the GPU, when it has CUDA.
  const std::string probe = cpq::bench::peer_line(
      "/usr/bin/python3 -c \"import json, torch; print(json.dumps({'cuda': torch.cuda.is_available(), "
      "'torch': torch.__version__}))\"");
  const bool torch_cuda = !probe.empty() && probe.find("\"cuda\": true") != std::string::npos;
  j["torch"] = probe.empty() ? "not installed" : cpq::bench::json_string(probe, "torch");
  j["torch_cuda"] = torch_cuda;

  cpq::idx::LabelledImages data;
  std::string error;
  const std::string dir = cpq::idx::kFashionMnistDir;
  if (skip_train) bits.clear();
  if (!bits.empty() && !cpq::idx::read_labelled(dir + "/train-images-idx3-ubyte.gz", dir + "/train-labels-idx1-ubyte.gz", 10, data,
                               error))
    fail(error);
  std::vector<TrainRow> train;
  for (const std::string &b : bits) {
    cpq::codegen::NetworkOptions o;
    if (b != "FP32" && (std::sscanf(b.c_str(), "W%dA%d", &o.weight_bits, &o.activation_bits) != 2 ||
                        o.weight_bits < 1 || o.weight_bits > 8 || o.activation_bits < 1 || o.activation_bits > 8))
      fail("--bits takes FP32 or WnAm, got '" + b + "'");
    cpq::codegen::PreparedNetwork net;
    if (!cpq::codegen::prepare_network(CPQ_SOURCE_DIR "/examples/networks/lenet5.mlir", o, net, error)) fail(error);
    std::string device_folder, cpu_folder;
    if (!cpq::codegen::compiled_kernels(net, cache, target, note, device_folder, error) ||
        !cpq::codegen::compiled_kernels(net, cache, "host", note, cpu_folder, error))
      fail(error);
    for (int batch : batches) {
      note("lenet5 " + b + " batch " + std::to_string(batch) + " ...");
      TrainRow r;
      r.bits = b, r.batch = batch;
      cpq::bench::StepOutputs on_device, on_cpu;
      r.device_img_s = cpq::bench::train_step_img_s(device_folder, data, batch, steps, repeats, error, nullptr, &on_device);
      if (r.device_img_s < 0) fail(error);
      r.cpu_img_s = cpq::bench::train_step_img_s(cpu_folder, data, batch, steps, repeats, error, nullptr, &on_cpu);
      if (r.cpu_img_s < 0) fail(error);
      r.first = step_difference(on_device, on_cpu);
      if (torch_cuda)
        r.torch_img_s = cpq::bench::json_number(
            cpq::bench::peer_line("/usr/bin/python3 " CPQ_SOURCE_DIR "/bench/peers/train_torch.py --device cuda --bits " +
                                  b + " --batch " + std::to_string(batch) + " --steps " + std::to_string(steps) +
                                  " --repeats " + std::to_string(repeats)),
            "img_s");
      train.push_back(r);
    }
  }

  char scratch_template[] = "/tmp/cpq_bench_gpu_XXXXXX";
  if (!mkdtemp(scratch_template)) fail("cannot make a scratch folder under /tmp");
  std::vector<GemmRow> gemm;
  for (int b : gemm_bits) {
    note("packed GEMM " + std::to_string(gm) + " x " + std::to_string(gk) + " x " + std::to_string(go) + ", " +
         std::to_string(b) + "-bit weights ...");
    gemm.push_back(time_gemm(b, gm, gk, go, target, repeats, scratch_template));
  }
  std::filesystem::remove_all(scratch_template);
  const double ops = 2.0 * double(gm) * double(gk) * double(go);

  if (json) {
    j["threads"] = kThreads, j["steps"] = steps, j["repeats"] = repeats;
    j["train"] = nlohmann::ordered_json::array();
    for (const TrainRow &r : train)
      j["train"].push_back({{"net", "lenet5"},
                            {"bits", r.bits},
                            {"batch", r.batch},
                            {"device_img_s", r.device_img_s},
                            {"cpu_img_s", r.cpu_img_s},
                            {"x_cpu", r.device_img_s / r.cpu_img_s},
                            {"torch_cuda_img_s", r.torch_img_s},
                            {"x_torch_cuda", r.torch_img_s > 0 ? r.device_img_s / r.torch_img_s : -1.0},
                            {"first_step_loss_rel_diff", r.first.loss},
                            {"first_step_grad_rel_diff", r.first.gradient},
                            {"first_step_grad_rel_diff_at", r.first.where}});
    j["gemm"] = nlohmann::ordered_json::array();
    for (const GemmRow &r : gemm)
      j["gemm"].push_back({{"m", gm},
                           {"k", gk},
                           {"o", go},
                           {"bits", r.bits},
                           {"device_gops", ops / r.device_s / 1e9},
                           {"cpu_qgemm_gops", ops / r.cpu_s / 1e9},
                           {"x_cpu", r.cpu_s / r.device_s},
                           {"equal", r.equal}});
    std::printf("%s\n", j.dump(2).c_str());
    return 0;
  }
  std::printf("\ndevice: %s (%s), target %s; CPU: %d threads; medians of %d runs; device figures include the copies "
              "to and from the device every call\n",
              chosen->name.c_str(), label.c_str(), target.c_str(), kThreads, repeats);
  std::printf("\nLeNet-5 train_step, Fashion-MNIST, Adam, %d steps a run\n", steps);
  std::printf("%-6s %6s %14s %12s %8s %14s %16s %16s\n", "bits", "batch", "device img/s", "CPU img/s", "x CPU",
              "PyTorch CUDA", "1st loss diff", "1st grad diff");
  for (const TrainRow &r : train) {
    char torch[32] = "-";
    if (r.torch_img_s > 0) std::snprintf(torch, sizeof torch, "%.0f", r.torch_img_s);
    std::printf("%-6s %6d %14.0f %12.0f %8.3f %14s %16.2e %16.2e  (%s)\n", r.bits.c_str(), r.batch, r.device_img_s,
                r.cpu_img_s, r.device_img_s / r.cpu_img_s, torch, r.first.loss, r.first.gradient, r.first.where.c_str());
  }
  std::printf("\npacked GEMM (cpq.qdense) %lld x %lld x %lld, unsigned 8-bit activations, signed weights\n",
              (long long)gm, (long long)gk, (long long)go);
  std::printf("%-5s %13s %16s %8s %14s\n", "bits", "device GOPS", "CPU qgemm GOPS", "x CPU", "results equal");
  for (const GemmRow &r : gemm)
    std::printf("%-5d %13.1f %16.1f %8.3f %14s\n", r.bits, ops / r.device_s / 1e9, ops / r.cpu_s / 1e9,
                r.cpu_s / r.device_s, r.equal ? "yes" : "NO");
  if (!torch_cuda)
    std::printf("(PyTorch on the GPU: %s)\n",
                probe.empty() ? "not installed" : "this PyTorch has no CUDA device");
  return 0;
}
