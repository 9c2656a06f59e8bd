//===- ops.cpp - generated conv2d kernels against oneDNN, and compile times -===//
//
// For the convolutions of LeNet-5 and of the VGG-style example (batch 64,
// NCHW float32), and LeNet-5's dense layers, times conv2d forward and both
// gradients (dense and both gradients) as the code
// generator makes them (one-op functions of the dialect, lowered, scheduled
// by hand or by Halide's autoschedulers, JIT-compiled for the host, 2
// threads) against oneDNN's primitives (convolution, inner product) for the
// same problem (its own blocked
// layouts, reorders outside the timing), median of repeats, as ratios
// (x_onednn > 1: the generated kernel is faster). Then the compile time of
// each example network's train_step with hand schedules (lower + schedule +
// Halide compile for the host, as cpq-compile does).
//
// Usage: bench/ops [--json] [--repeats N] [--no-compile-times] [--schedules hand,Li2018,...]
//                  [--only TEXT]   (only the rows whose shape or op contains TEXT)
//
//===----------------------------------------------------------------------===//
#include "codegen/aot.h"
#include "codegen/jit.h"
#include "codegen/lower/lower.h"
#include "cpq/dialect/CpqDialect.h"

#include "mlir/Dialect/StandardOps/IR/Ops.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser.h"

#include <nlohmann/json.hpp>

#ifdef CPQ_HAVE_ONEDNN
#include <oneapi/dnnl/dnnl.hpp>
#endif

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct ConvShape {
  const char *net, *layer;
  int n, c, h, w, o, k, pad;
  int oh() const { return h + 2 * pad - k + 1; }
  int ow() const { return w + 2 * pad - k + 1; }
  std::string text() const {
    std::ostringstream os;
    os << net << "." << layer << " " << n << "x" << c << "x" << h << "x" << w << " -> " << o << " k" << k << " p"
       << pad;
    return os.str();
  }
};

const ConvShape kShapes[] = {
    {"lenet5", "conv1", 64, 1, 28, 28, 32, 5, 0},      {"lenet5", "conv2", 64, 32, 12, 12, 64, 5, 0},
    {"vgg_small", "stem", 64, 1, 28, 28, 32, 3, 1},    {"vgg_small", "stage1", 64, 32, 28, 28, 32, 3, 1},
    {"vgg_small", "stage2.0", 64, 32, 14, 14, 64, 3, 1}, {"vgg_small", "stage2", 64, 64, 14, 14, 64, 3, 1},
};

const char *kOps[] = {"conv2d", "conv2d_grad_input", "conv2d_grad_filter"};

struct DenseShape {
  const char *net, *layer;
  int n, in, out;
  std::string text() const {
    return std::string(net) + "." + layer + " " + std::to_string(n) + "x" + std::to_string(in) + " -> " +
           std::to_string(out);
  }
};
const DenseShape kDense[] = {{"lenet5", "fc1", 64, 1024, 512}, {"lenet5", "fc2", 64, 512, 10}};
const char *kDenseOps[] = {"dense", "dense_grad_input", "dense_grad_weight"};

template <class F> double median_ms(int repeats, F &&f) {
  f(); // warm up
  std::vector<double> t;
  for (int r = 0; r < repeats; ++r) {
    const auto a = std::chrono::steady_clock::now();
    f();
    t.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - a).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

/// A tensor type; an extent of -1 is dynamic ("?"), as a network's batch is.
std::string tensor(const std::vector<int> &shape) {
  std::string s = "tensor<";
  for (int d : shape) s += (d < 0 ? std::string("?") : std::to_string(d)) + "x";
  return s + "f32>";
}

/// The one-op function of `op` on shape `s`.
std::string one_op(const char *op, const ConvShape &s) {
  // The batch is dynamic, as in the networks' train_step (the hand
  // schedules parallelise a dynamic batch differently from a static one).
  const std::string X = tensor({-1, s.c, s.h, s.w}), W = tensor({s.o, s.c, s.k, s.k}),
                    Y = tensor({-1, s.o, s.oh(), s.ow()});
  const std::string attrs = "{padding = [" + std::to_string(s.pad) + ", " + std::to_string(s.pad) + "]}";
  const std::string name = op;
  if (name == "conv2d")
    return "func @f(%x: " + X + ", %w: " + W + ") -> " + Y + " {\n  %y = cpq.conv2d %x, %w " + attrs + " : (" + X +
           ", " + W + ") -> " + Y + "\n  return %y : " + Y + "\n}\n";
  const std::string result = name == "conv2d_grad_input" ? X : W;
  return "func @f(%dy: " + Y + ", %x: " + X + ", %w: " + W + ") -> " + result + " {\n  %d = cpq." + name +
         " %dy, %x, %w " + attrs + " : (" + Y + ", " + X + ", " + W + ") -> " + result + "\n  return %d : " + result +
         "\n}\n";
}

std::string one_op(const char *op, const DenseShape &s) {
  const std::string X = tensor({-1, s.in}), W = tensor({s.out, s.in}), Y = tensor({-1, s.out});
  const std::string name = op;
  if (name == "dense")
    return "func @f(%x: " + X + ", %w: " + W + ") -> " + Y + " {\n  %y = cpq.dense %x, %w : (" + X + ", " + W +
           ") -> " + Y + "\n  return %y : " + Y + "\n}\n";
  if (name == "dense_grad_input")
    return "func @f(%dy: " + Y + ", %w: " + W + ") -> " + X + " {\n  %d = cpq.dense_grad_input %dy, %w : (" + Y +
           ", " + W + ") -> " + X + "\n  return %d : " + X + "\n}\n";
  return "func @f(%dy: " + Y + ", %x: " + X + ") -> " + W + " {\n  %d = cpq.dense_grad_weight %dy, %x : (" + Y + ", " +
         X + ") -> " + W + "\n  return %d : " + W + "\n}\n";
}

/// Times the generated kernel of `op` with `schedule`; nullopt when it cannot
/// be built (the message goes to stderr).
template <typename Shape>
std::optional<double> time_generated(const char *op, const Shape &s, const std::string &schedule, int repeats) {
  mlir::MLIRContext context;
  mlir::DialectRegistry registry;
  registry.insert<cpq::dialect::CpqDialect, mlir::StandardOpsDialect>();
  context.appendDialectRegistry(registry);
  context.loadAllAvailableDialects();
  auto module = mlir::parseSourceString<mlir::ModuleOp>(one_op(op, s), &context);
  mlir::FuncOp func = module->template lookupSymbol<mlir::FuncOp>("f");
  cpq::codegen::LoweringOptions options;
  options.clamp_inputs = schedule != "hand";
  options.constant_edge_loops = schedule != "hand";
  options.batch_estimate = s.n;
  auto lowered = cpq::codegen::lower_function(func, options);
  if (!lowered) return std::nullopt;
  try {
    Halide::Pipeline p = cpq::codegen::compile_jit(*lowered, schedule);
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> d(-1, 1);
    std::vector<Halide::Buffer<float>> inputs;
    for (auto &in : lowered->inputs) {
      std::vector<int> extents(in.shape.rbegin(), in.shape.rend());
      for (int &e : extents)
        if (e < 0) e = s.n; // the dynamic batch
      Halide::Buffer<float> b(extents);
      std::generate(b.data(), b.data() + b.number_of_elements(), [&] { return d(rng); });
      in.buffer->set(b);
      inputs.push_back(b);
    }
    Halide::Realization out = cpq::codegen::make_outputs(*lowered, s.n);
    return median_ms(repeats, [&] { p.realize(out); });
  } catch (const std::exception &e) {
    std::fprintf(stderr, "ops: %s %s with %s: %s\n", op, s.text().c_str(), schedule.c_str(), e.what());
    return std::nullopt;
  }
}

#ifdef CPQ_HAVE_ONEDNN
/// A oneDNN buffer of `md` holding deterministic values in [-0.5, 0.5).
dnnl::memory filled(const dnnl::engine &eng, const dnnl::memory::desc &md) {
  dnnl::memory m(md, eng);
  float *p = static_cast<float *>(m.get_data_handle());
  for (size_t i = 0; i < md.get_size() / sizeof(float); ++i) p[i] = float((i * 2654435761u) % 1000) / 1000.0f - 0.5f;
  return m;
}

/// oneDNN's inner product for the same dense problem (its layouts).
double time_onednn(const char *op, const DenseShape &s, int repeats) {
  using namespace dnnl;
  using tag = memory::format_tag;
  using dt = memory::data_type;
  engine eng(engine::kind::cpu, 0);
  stream str(eng);
  const memory::dims src_d = {s.n, s.in}, wei_d = {s.out, s.in}, dst_d = {s.n, s.out};
  auto any = [](const memory::dims &d) { return memory::desc(d, dt::f32, tag::any); };
  inner_product_forward::desc fd(prop_kind::forward_training, any(src_d), any(wei_d), any(dst_d));
  inner_product_forward::primitive_desc fpd(fd, eng);
  const std::string name = op;
  if (name == "dense") {
    memory src = filled(eng, fpd.src_desc()), wei = filled(eng, fpd.weights_desc()), dst(fpd.dst_desc(), eng);
    inner_product_forward ip(fpd);
    return median_ms(repeats, [&] {
      ip.execute(str, {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, wei}, {DNNL_ARG_DST, dst}});
      str.wait();
    });
  }
  if (name == "dense_grad_input") {
    inner_product_backward_data::desc bd(any(src_d), any(wei_d), any(dst_d));
    inner_product_backward_data::primitive_desc bpd(bd, eng, fpd);
    memory ddst = filled(eng, bpd.diff_dst_desc()), wei = filled(eng, bpd.weights_desc()), dsrc(bpd.diff_src_desc(), eng);
    inner_product_backward_data ip(bpd);
    return median_ms(repeats, [&] {
      ip.execute(str, {{DNNL_ARG_DIFF_DST, ddst}, {DNNL_ARG_WEIGHTS, wei}, {DNNL_ARG_DIFF_SRC, dsrc}});
      str.wait();
    });
  }
  inner_product_backward_weights::desc wd(any(src_d), any(wei_d), any(dst_d));
  inner_product_backward_weights::primitive_desc wpd(wd, eng, fpd);
  memory src = filled(eng, wpd.src_desc()), ddst = filled(eng, wpd.diff_dst_desc()), dwei(wpd.diff_weights_desc(), eng);
  inner_product_backward_weights ip(wpd);
  return median_ms(repeats, [&] {
    ip.execute(str, {{DNNL_ARG_SRC, src}, {DNNL_ARG_DIFF_DST, ddst}, {DNNL_ARG_DIFF_WEIGHTS, dwei}});
    str.wait();
  });
}

/// oneDNN's time for the same problem, its preferred layouts, reorders
/// outside the timing.
double time_onednn(const char *op, const ConvShape &s, int repeats) {
  using namespace dnnl;
  using tag = memory::format_tag;
  using dt = memory::data_type;
  engine eng(engine::kind::cpu, 0);
  stream str(eng);
  const memory::dims src_d = {s.n, s.c, s.h, s.w}, wei_d = {s.o, s.c, s.k, s.k}, dst_d = {s.n, s.o, s.oh(), s.ow()},
                     strides = {1, 1}, pad = {s.pad, s.pad};
  auto any = [](const memory::dims &d) { return memory::desc(d, dt::f32, tag::any); };
  convolution_forward::desc fd(prop_kind::forward_training, algorithm::convolution_direct, any(src_d), any(wei_d),
                               any(dst_d), strides, pad, pad);
  convolution_forward::primitive_desc fpd(fd, eng);
  const std::string name = op;
  if (name == "conv2d") {
    memory src = filled(eng, fpd.src_desc()), wei = filled(eng, fpd.weights_desc()), dst(fpd.dst_desc(), eng);
    convolution_forward conv(fpd);
    return median_ms(repeats, [&] {
      conv.execute(str, {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, wei}, {DNNL_ARG_DST, dst}});
      str.wait();
    });
  }
  if (name == "conv2d_grad_input") {
    convolution_backward_data::desc bd(algorithm::convolution_direct, any(src_d), any(wei_d), any(dst_d), strides, pad,
                                       pad);
    convolution_backward_data::primitive_desc bpd(bd, eng, fpd);
    memory ddst = filled(eng, bpd.diff_dst_desc()), wei = filled(eng, bpd.weights_desc()), dsrc(bpd.diff_src_desc(), eng);
    convolution_backward_data conv(bpd);
    return median_ms(repeats, [&] {
      conv.execute(str, {{DNNL_ARG_DIFF_DST, ddst}, {DNNL_ARG_WEIGHTS, wei}, {DNNL_ARG_DIFF_SRC, dsrc}});
      str.wait();
    });
  }
  convolution_backward_weights::desc wd(algorithm::convolution_direct, any(src_d), any(wei_d), any(dst_d), strides,
                                        pad, pad);
  convolution_backward_weights::primitive_desc wpd(wd, eng, fpd);
  memory src = filled(eng, wpd.src_desc()), ddst = filled(eng, wpd.diff_dst_desc()), dwei(wpd.diff_weights_desc(), eng);
  convolution_backward_weights conv(wpd);
  return median_ms(repeats, [&] {
    conv.execute(str, {{DNNL_ARG_SRC, src}, {DNNL_ARG_DIFF_DST, ddst}, {DNNL_ARG_DIFF_WEIGHTS, dwei}});
    str.wait();
  });
}
#endif

std::vector<std::string> split(const std::string &s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string item; std::getline(ss, item, ',');) out.push_back(item);
  return out;
}

} // namespace

int main(int argc, char **argv) {
  bool json = false, compile_times = true;
  int repeats = 9;
  std::vector<std::string> schedules = {"hand", "Li2018", "Adams2019", "Mullapudi2016"};
  std::string only;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--json")) {
      json = true;
    } else if (!std::strcmp(argv[i], "--repeats") && i + 1 < argc) {
      repeats = std::max(1, std::atoi(argv[++i]));
    } else if (!std::strcmp(argv[i], "--no-compile-times")) {
      compile_times = false;
    } else if (!std::strcmp(argv[i], "--schedules") && i + 1 < argc) {
      schedules = split(argv[++i]);
    } else if (!std::strcmp(argv[i], "--only") && i + 1 < argc) {
      only = argv[++i];
    } else {
      std::fprintf(stderr, "usage: %s [--json] [--repeats N] [--no-compile-times] [--schedules hand,Li2018,...] "
                           "[--only TEXT]\n",
                   argv[0]);
      return 2;
    }
  }
#ifndef CPQ_HAVE_ONEDNN
  std::fprintf(stderr, "ops: built without oneDNN (scripts/install-deps.sh --peers installs libdnnl-dev); "
                       "x_onednn is null\n");
#endif
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  if (!json) std::printf("%-44s %-20s %-14s %10s %10s\n", "shape", "op", "schedule", "ms", "x_onednn");
  auto measure = [&](const auto &s, const char *op) {
    if (!only.empty() && (s.text() + " " + op).find(only) == std::string::npos) return;
    double onednn = -1;
#ifdef CPQ_HAVE_ONEDNN
    onednn = time_onednn(op, s, repeats);
#endif
    for (const std::string &schedule : schedules) {
      auto ms = time_generated(op, s, schedule, repeats);
      const bool ratio = ms && onednn > 0;
      if (!json) {
        std::printf("%-44s %-20s %-14s %10s %10s\n", s.text().c_str(), op, schedule.c_str(),
                    ms ? std::to_string(*ms).substr(0, 8).c_str() : "failed",
                    ratio ? std::to_string(onednn / *ms).substr(0, 6).c_str() : "-");
        std::fflush(stdout);
      }
      rows.push_back({{"op", op},
                      {"shape", s.text()},
                      {"schedule", schedule},
                      {"ms", ms ? nlohmann::ordered_json(*ms) : nlohmann::ordered_json(nullptr)},
                      {"x_onednn", ratio ? nlohmann::ordered_json(onednn / *ms) : nlohmann::ordered_json(nullptr)}});
    }
    if (!json && onednn > 0) std::printf("%-44s %-20s %-14s %10.3f\n", s.text().c_str(), op, "oneDNN", onednn);
  };
  for (const ConvShape &s : kShapes)
    for (const char *op : kOps) measure(s, op);
  for (const DenseShape &s : kDense)
    for (const char *op : kDenseOps) measure(s, op);

  nlohmann::ordered_json compile = nlohmann::ordered_json::object();
  if (compile_times) {
    for (const char *net : {"lenet5_w2a2", "vgg_small_w2a2"}) {
      cpq::codegen::AotOptions o;
      o.input = std::string(CPQ_SOURCE_DIR) + "/examples/networks/" + net + ".mlir";
      o.function = "train_step";
      o.pipeline = "cpq-train-pipeline";
      o.output = "/tmp/cpq_bench_ops_" + std::string(net);
      o.shared = false;
      std::string error;
      const auto a = std::chrono::steady_clock::now();
      const bool ok = cpq::codegen::compile_aot(o, error);
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - a).count();
      if (!ok) std::fprintf(stderr, "ops: compiling %s: %s\n", net, error.c_str());
      if (!json) std::printf("compile %s.train_step (hand, host): %s\n", net, ok ? (std::to_string(seconds) + " s").c_str() : "failed");
      compile[std::string(net) + ".train_step"] = ok ? nlohmann::ordered_json(seconds) : nlohmann::ordered_json(nullptr);
      for (const char *suffix : {".a", ".h", ".json"}) std::remove((o.output + suffix).c_str());
    }
  }
  if (json) std::printf("%s\n", nlohmann::ordered_json{{"rows", rows}, {"compile_s", compile}}.dump(2).c_str());
  return 0;
}
