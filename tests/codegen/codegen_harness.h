//===- codegen_harness.h - run a cpq function through the code generator ---===//
//
// Parses MLIR text, lowers one function, JIT-compiles it and runs it on
// reference tensors, so tests compare the generated code with the scalar
// reference (cpq/kernels/layers_reference.h) op by op.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "codegen/jit.h"
#include "codegen/lower/lower.h"
#include "cpq/dialect/CpqDialect.h"
#include "cpq/dialect/Passes.h"
#include "cpq/kernels/layers_reference.h"

#include "mlir/Dialect/StandardOps/IR/Ops.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

#include "llvm/Support/raw_ostream.h"

#include <Halide.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <cstdint>
#include <fstream>
#include <ostream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace cpq::testing {

/// A context with the dialects the tests parse.
inline void load_dialects(mlir::MLIRContext &context) {
  mlir::DialectRegistry registry;
  registry.insert<dialect::CpqDialect, mlir::StandardOpsDialect>();
  context.appendDialectRegistry(registry);
  context.loadAllAvailableDialects();
}

/// `mlir` after the cpq-opt pipeline `pipeline`, printed; throws when either
/// fails.
/// The text of the file at `path` (a test network); throws naming it when
/// it cannot be read or is empty.
inline std::string read_text_file(const std::string &path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  if (!in.good() || text.str().empty()) throw std::runtime_error("cannot read " + path);
  return text.str();
}

inline std::string run_pipeline(const std::string &mlir, const std::string &pipeline) {
  dialect::registerPassesAndPipelines();
  mlir::MLIRContext context;
  load_dialects(context);
  auto module = mlir::parseSourceString<mlir::ModuleOp>(mlir, &context);
  if (!module) throw std::invalid_argument("test MLIR does not parse:\n" + mlir);
  mlir::PassManager pm(&context);
  if (mlir::failed(mlir::parsePassPipeline(pipeline, pm)) || mlir::failed(pm.run(*module)))
    throw std::invalid_argument("pipeline " + pipeline + " failed");
  std::string text;
  llvm::raw_string_ostream os(text);
  module->print(os);
  return os.str();
}

/// A reference tensor as a Halide buffer (same memory layout, axes reversed).
inline Halide::Buffer<float> to_buffer(const reference::Tensor &t) {
  std::vector<int> extents(t.shape.rbegin(), t.shape.rend());
  Halide::Buffer<float> b(extents);
  std::copy(t.data.begin(), t.data.end(), b.data());
  return b;
}

inline reference::Tensor from_buffer(const Halide::Buffer<float> &b) {
  reference::Tensor t;
  for (int k = b.dimensions() - 1; k >= 0; --k) t.shape.push_back(b.dim(k).extent());
  t.data.assign(b.data(), b.data() + b.number_of_elements());
  return t;
}

inline reference::Tensor random_tensor(std::vector<int64_t> shape, std::mt19937 &rng, float lo = -1.0f,
                                       float hi = 1.0f) {
  reference::Tensor t(std::move(shape));
  std::uniform_real_distribution<float> d(lo, hi);
  for (float &v : t.data) v = d(rng);
  return t;
}

/// |a - b| <= rel * max(|a|, |b|) + abs for every element; the first
/// offender in `where`.
inline bool all_close(const reference::Tensor &got, const reference::Tensor &want, double rel, double abs,
                      std::string &where) {
  if (got.shape != want.shape) {
    where = "shapes differ";
    return false;
  }
  for (std::size_t k = 0; k < got.data.size(); ++k) {
    const double a = got.data[k], b = want.data[k];
    if (!(std::fabs(a - b) <= rel * std::max(std::fabs(a), std::fabs(b)) + abs)) {
      where = "element " + std::to_string(k) + ": " + std::to_string(a) + " vs " + std::to_string(b);
      return false;
    }
  }
  return true;
}

class Compiled {
public:
  /// Lowers function `name` of `mlir` and JIT-compiles it with `schedule`.
  Compiled(const std::string &mlir, const std::string &name = "f", const std::string &schedule_in = "",
           const codegen::LoweringOptions &options = {},
           const Halide::Target &target = codegen::jit_target()) {
    // CPQ_TEST_SCHEDULE runs every default-scheduled case with another schedule.
    const char *env = std::getenv("CPQ_TEST_SCHEDULE");
    const std::string schedule = !schedule_in.empty() ? schedule_in : env && *env ? env : "hand";
    load_dialects(context);
    module = mlir::parseSourceString<mlir::ModuleOp>(mlir, &context);
    if (!module) throw std::invalid_argument("test MLIR does not parse:\n" + mlir);
    auto func = module->lookupSymbol<mlir::FuncOp>(name);
    if (!func) throw std::invalid_argument("no function " + name);
    codegen::LoweringOptions opts = options;
    opts.clamp_inputs = schedule != "hand";
    opts.constant_edge_loops = schedule != "hand";
    if (target.has_gpu_feature()) opts = codegen::for_gpu(opts);
    auto f = codegen::lower_function(func, opts);
    if (!f) throw std::invalid_argument("lowering failed:\n" + mlir);
    lowered = std::move(*f);
    pipeline = codegen::compile_jit(lowered, schedule, target);
    target_ = codegen::with_gpu_needs(target);
  }

  // Inputs are marked as written on the host, so that a GPU target copies
  // them to the device.
  void set(int input, const reference::Tensor &t) {
    buffers.push_back(to_buffer(t));
    buffers.back().set_host_dirty();
    lowered.inputs.at(std::size_t(input)).buffer->set(buffers.back());
  }
  void set_labels(int input, const std::vector<int32_t> &labels) {
    Halide::Buffer<int32_t> b(int(labels.size()));
    std::copy(labels.begin(), labels.end(), b.data());
    b.set_host_dirty();
    int_buffers.push_back(b);
    lowered.inputs.at(std::size_t(input)).buffer->set(b);
  }
  template <typename T> void set_scalar(int input, T value) {
    lowered.inputs.at(std::size_t(input)).scalar->set(value);
  }

  /// Runs and returns every output (float outputs as reference tensors;
  /// integer scalars in `ints`).
  std::vector<reference::Tensor> run(int batch) {
    Halide::Realization r = codegen::make_outputs(lowered, batch);
    pipeline.realize(r, target_);
    std::vector<reference::Tensor> outs;
    ints.clear();
    for (std::size_t k = 0; k < r.size(); ++k) {
      Halide::Buffer<> b = r[k];
      b.copy_to_host(); // a GPU target's outputs are on the device
      if (b.type() == Halide::Float(32)) {
        outs.push_back(from_buffer(Halide::Buffer<float>(b)));
      } else {
        outs.emplace_back();
        ints.push_back(Halide::Buffer<int32_t>(b)());
      }
    }
    return outs;
  }

  mlir::MLIRContext context;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  codegen::LoweredFunction lowered;
  Halide::Pipeline pipeline;
  std::vector<Halide::Buffer<float>> buffers;
  std::vector<Halide::Buffer<int32_t>> int_buffers;
  std::vector<int32_t> ints;

private:
  Halide::Target target_;
};

/// A convolution test case: NCHW input, O filters of k x k, stride, padding,
/// groups.
struct ConvCase {
  int64_t batch, channels, height, width, out, k, stride, pad, groups;
};
inline std::ostream &operator<<(std::ostream &os, const ConvCase &c) {
  return os << "N" << c.batch << " C" << c.channels << " " << c.height << "x" << c.width << " O" << c.out << " k"
            << c.k << " s" << c.stride << " p" << c.pad << " g" << c.groups;
}

/// "tensor<?x3x8x8xf32>" for a shape with a dynamic batch.
inline std::string tensor_type(const std::vector<int64_t> &shape, bool dynamic_batch = true,
                               const std::string &element = "f32") {
  std::string s = "tensor<";
  for (std::size_t k = 0; k < shape.size(); ++k)
    s += (k == 0 && dynamic_batch ? std::string("?") : std::to_string(shape[k])) + "x";
  return s + element + ">";
}

} // namespace cpq::testing
