//===- network.cpp - a network prepared for training, its kernels cached ----===//
#include "codegen/network.h"

#include "codegen/aot.h"
#include "cpq/runtime/atomic_file.h"
#include "cpq/dialect/CpqDialect.h"
#include "cpq/dialect/Passes.h"
#include "schedules/space.h"

#include "mlir/Dialect/StandardOps/IR/Ops.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <limits>
#include <sstream>

namespace fs = std::filesystem;

namespace cpq::codegen {

namespace {

std::string print(mlir::ModuleOp module) {
  std::string s;
  llvm::raw_string_ostream os(s);
  module.print(os);
  return os.str();
}

std::uint64_t fnv1a64(const std::string &text) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
  return h;
}

/// The identity of this executable: a rebuilt tool compiles afresh.
std::string self_identity() {
  struct stat st {};
  std::error_code ec;
  const std::string exe = fs::read_symlink("/proc/self/exe", ec).string();
  if (ec || ::stat(exe.c_str(), &st) != 0) return exe;
  return exe + ":" + std::to_string(st.st_size) + ":" + std::to_string(st.st_mtim.tv_sec) + "." +
         std::to_string(st.st_mtim.tv_nsec);
}

} // namespace

bool prepare_network(const std::string &path, const NetworkOptions &o, PreparedNetwork &p, std::string &error) {
  mlir::MLIRContext context;
  mlir::DialectRegistry registry;
  registry.insert<cpq::dialect::CpqDialect, mlir::StandardOpsDialect>();
  context.appendDialectRegistry(registry);
  context.loadAllAvailableDialects();
  llvm::SourceMgr sources;
  mlir::SourceMgrDiagnosticHandler diagnostics(sources, &context);
  if (!fs::exists(path)) {
    error = path + ": no such file";
    return false;
  }
  mlir::OwningOpRef<mlir::ModuleOp> module = mlir::parseSourceFile<mlir::ModuleOp>(path, sources, &context);
  if (!module) {
    error = path + ": not a valid cpq module (see the errors above)";
    return false;
  }
  cpq::dialect::registerPassesAndPipelines();
  auto run = [&](const std::string &pipeline) {
    mlir::PassManager pm(&context);
    std::string message;
    llvm::raw_string_ostream messages(message);
    if (mlir::failed(mlir::parsePassPipeline(pipeline, pm, messages))) {
      error = "bad pipeline '" + pipeline + "': " + messages.str();
      return false;
    }
    if (mlir::failed(pm.run(*module))) {
      error = path + ": '" + pipeline + "' failed (see the errors above)";
      return false;
    }
    return true;
  };
  if (o.weight_bits) {
    std::ostringstream spec;
    spec << std::setprecision(std::numeric_limits<double>::max_digits10); // options reach the pass exactly
    spec << "cpq-quantize-network{weight-bits=" << o.weight_bits << " activation-bits=" << o.activation_bits
         << " input-bits=" << o.input_bits << " dropbits-p=" << o.dropbits << " dropbits=" << o.dropbits_mode
         << " learn-bits=" << (o.learn_bits ? "true" : "false") << " gate-lambda=" << o.gate_lambda
         << " gate-init=" << o.gate_init
         << " activation-range=" << o.activation_range << " weight-grid=" << o.weight_grid;
    if (!o.tensor_bits.empty()) {
      spec << " tensor-bits=";
      const char *comma = "";
      for (const auto &[tensor, bits] : o.tensor_bits) spec << comma << tensor << ":" << bits, comma = ",";
    }
    spec << "}";
    if (!run(spec.str())) return false;
  } else if (o.dropbits != 0.0 || o.learn_bits || !o.tensor_bits.empty()) {
    error = "DropBits, learned bit-widths and per-tensor bits need a quantized network (weight and activation bits)";
    return false;
  }
  p.network_text = print(*module);
  std::ostringstream train;
  train << std::setprecision(std::numeric_limits<double>::max_digits10);
  train << "cpq-train-pipeline{optimizer=" << o.optimizer << " weight-decay=" << o.weight_decay
        << " scale-floor=" << o.scale_floor << " sigma-floor=" << o.sigma_floor << " scale-step=" << o.scale_step
        << " gate-lr-scale=" << o.gate_lr_scale << "}";
  if (!run(train.str())) return false;
  p.training_text = print(*module);

  mlir::FuncOp step = module->lookupSymbol<mlir::FuncOp>("train_step");
  if (!step) {
    error = path + ": the training pipeline made no train_step";
    return false;
  }
  for (mlir::FuncOp f : module->getOps<mlir::FuncOp>()) {
    if (f.getName() == "train_step" || f.getName() == "eval_step") continue;
    p.name = f.getName().str();
    bool ok = true;
    f.walk([&](cpq::dialect::ParamOp op) {
      runtime::ParamInit init;
      init.kind = cpq::dialect::stringifyInitKind(op.init()).str();
      if (auto value = op.valueAttr()) {
        auto dense = value.dyn_cast<mlir::DenseElementsAttr>();
        if (!dense) {
          error = path + ": parameter '" + op.name().str() + "' has a value that is not dense";
          ok = false;
          return;
        }
        if (dense.isSplat())
          init.values.push_back(dense.getSplatValue<float>());
        else
          for (float v : dense.getValues<float>()) init.values.push_back(v);
      }
      p.init[op.name().str()] = init;
      auto shape = op.getType().cast<mlir::RankedTensorType>().getShape();
      p.shapes[op.name().str()] = std::vector<std::int64_t>(shape.begin(), shape.end());
      p.uses[op.name().str()] = "other";
    });
    if (!ok) return false;
    // Weights and biases of the layers, directly or through a quantizer.
    auto param_of = [&](mlir::Value v) -> std::string {
      if (!v) return "";
      if (auto q = v.getDefiningOp<cpq::dialect::QuantizeOp>()) {
        if (auto w = q.input().getDefiningOp<cpq::dialect::ParamOp>()) {
          PreparedNetwork::Quantizer info;
          info.grid = make_grid(cpq::dialect::toKernel(q.grid()), int(q.bits()));
          if (auto a = q.alpha().getDefiningOp<cpq::dialect::ParamOp>()) info.alpha = a.name().str();
          if (auto axis = q.axis()) info.axis = std::int64_t(*axis);
          info.gated = bool(q.gate_logits());
          p.quantizers[w.name().str()] = info;
          return p.quantized.insert(w.name().str()), w.name().str();
        }
        return "";
      }
      if (auto w = v.getDefiningOp<cpq::dialect::ParamOp>()) return w.name().str();
      return "";
    };
    auto mark = [&](mlir::Value v, const char *use) {
      const std::string name = param_of(v);
      if (!name.empty()) p.uses[name] = use;
    };
    f.walk([&](cpq::dialect::Conv2dOp c) { mark(c.filter(), "weight"), mark(c.bias(), "bias"); });
    f.walk([&](cpq::dialect::DenseOp d) { mark(d.weight(), "weight"), mark(d.bias(), "bias"); });
  }
  return true;
}

bool initial_parameters(const PreparedNetwork &p, std::uint64_t seed, safetensors::File &out, std::string &error) {
  out = safetensors::File{};
  for (const auto &[name, init] : p.init) {
    std::vector<float> values;
    if (!runtime::initial_value(name, init, p.shapes.at(name), seed, values, error)) return false;
    out.tensors.push_back(safetensors::make_f32(name, p.shapes.at(name), values));
  }
  return true;
}

std::string default_cache() {
  if (const char *x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/cpq";
  if (const char *h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/cpq";
  return ".cpq-cache";
}

namespace {

/// Compiles `functions` of `module_text` into `dir` (through a temporary
/// folder renamed into place, so a cache never holds half a set), unless
/// `dir` already holds the first one.
bool compile_into_cache(const std::string &module_text, const std::vector<std::string> &functions, const fs::path &dir,
                        const std::string &target, const std::function<void(const std::string &)> &say,
                        std::string &error, const std::string &schedule = "", bool timed = false, int split = 0) {
  if (std::all_of(functions.begin(), functions.end(), [&](const std::string &fn) { return fs::exists(dir / (fn + ".so")); })) {
    say("kernels from the cache: " + dir.string());
    return true;
  }
  std::error_code ec;
  fs::create_directories(dir.parent_path(), ec);
  const fs::path tmp = dir.string() + ".tmp" + std::to_string(::getpid());
  fs::remove_all(tmp, ec);
  if (!fs::create_directories(tmp, ec)) {
    error = tmp.string() + ": cannot create (" + ec.message() + ")";
    return false;
  }
  const std::string source = (tmp / "module.mlir").string();
  if (!runtime::write_atomically(source, module_text, error)) return false;
  for (const std::string &fn : functions) {
    const auto t0 = std::chrono::steady_clock::now();
    say("compiling " + fn + " for " + target + " (once; cached in " + dir.string() + ")");
    codegen::AotOptions o;
    o.input = source;
    o.function = fn;
    o.output = (tmp / fn).string();
    o.targets = {target};
    o.time_root_funcs = timed;
    o.split = split;
    if (!schedule.empty()) {
      // A schedule file tuned for the first function (train_step); the
      // others take the stages they share with it.
      o.schedule = schedule;
      o.partial_schedule = fn != functions.front();
    }
    std::string message;
    if (!codegen::compile_aot(o, message)) {
      fs::remove_all(tmp, ec);
      error = "compiling " + fn + ": " + message;
      return false;
    }
    char took[64];
    std::snprintf(took, sizeof took, " in %.1f s", std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    say("compiled " + fn + took);
  }
  fs::rename(tmp, dir, ec);
  if (ec) { // another process put the same kernels there first
    fs::remove_all(tmp, ec);
    if (!fs::exists(dir / (functions.front() + ".so"))) {
      error = dir.string() + ": cannot move the compiled kernels into place";
      return false;
    }
  }
  return true;
}

fs::path cache_folder(const std::string &cache, const std::string &name, const std::string &text, const std::string &target) {
  char key[17];
  std::snprintf(key, sizeof key, "%016llx",
                static_cast<unsigned long long>(fnv1a64(text + "\n" + target + "\n" + self_identity())));
  return fs::path(cache) / "kernels" / (name + "-" + key);
}

} // namespace

bool compiled_kernels(const PreparedNetwork &p, const std::string &cache, const std::string &target,
                      const std::function<void(const std::string &)> &note, std::string &folder, std::string &error,
                      const std::string &schedule, bool timed, int split) {
  auto say = [&](const std::string &m) {
    if (note) note(m);
  };
  std::string key_text = p.training_text;
  std::string absolute;
  if (!schedule.empty()) {
    // The schedule file's text is part of the key; it is read here so that
    // a missing or malformed file is refused before anything compiles.
    schedules::Point point;
    std::string family, function;
    if (!schedules::read_point(schedule, point, family, function, error)) return false;
    std::ifstream in(schedule, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    key_text += "\nschedule:\n" + text.str();
    absolute = fs::absolute(schedule).string();
  }
  if (timed) key_text += "\ntimed stages";
  if (split != 0) key_text += "\nsplit " + std::to_string(split);
  const fs::path dir = cache_folder(cache, p.name, key_text, target);
  folder = dir.string();
  return compile_into_cache(p.training_text, {"train_step", "eval_step"}, dir, target, say, error, absolute, timed,
                            split);
}

bool hessian_module(const PreparedNetwork &p, std::string &text, std::string &error) {
  mlir::MLIRContext context;
  mlir::DialectRegistry registry;
  registry.insert<cpq::dialect::CpqDialect, mlir::StandardOpsDialect>();
  context.appendDialectRegistry(registry);
  context.loadAllAvailableDialects();
  std::string diagnostics;
  llvm::raw_string_ostream os(diagnostics);
  mlir::ScopedDiagnosticHandler handler(&context, [&](mlir::Diagnostic &d) {
    os << d.str() << "\n";
    return mlir::success();
  });
  mlir::OwningOpRef<mlir::ModuleOp> module = mlir::parseSourceString<mlir::ModuleOp>(p.network_text, &context);
  if (!module) {
    error = "the network of '" + p.name + "' does not parse again: " + os.str();
    return false;
  }
  cpq::dialect::registerPassesAndPipelines();
  mlir::PassManager pm(&context);
  std::string message;
  llvm::raw_string_ostream messages(message);
  if (mlir::failed(mlir::parsePassPipeline("cpq-expand-hessian{network=" + p.name + "}", pm, messages)) ||
      mlir::failed(pm.run(*module))) {
    error = "network '" + p.name + "' has no second-order backward pass: " + os.str() + messages.str();
    while (!error.empty() && error.back() == '\n') error.pop_back();
    return false;
  }
  text = print(*module);
  return true;
}

bool compiled_hessian(const PreparedNetwork &p, const std::string &cache, const std::string &target,
                      const std::function<void(const std::string &)> &note, std::string &prefix, std::string &error) {
  auto say = [&](const std::string &m) {
    if (note) note(m);
  };
  std::string text;
  if (!hessian_module(p, text, error)) return false;
  const fs::path dir = cache_folder(cache, p.name + "-hessian", text, target);
  prefix = (dir / "hessian_diag").string();
  return compile_into_cache(text, {"hessian_diag"}, dir, target, say, error);
}

} // namespace cpq::codegen
