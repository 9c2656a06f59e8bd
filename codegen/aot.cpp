//===- aot.cpp - ahead-of-time compilation of cpq functions -----------------===//
//
// This file implements cpq-compile's work: parse, run the pipeline, lower
// per target inside Halide's multi-target module factory, write the
// library, header, shared object, manifest and listings atomically.
//
//===----------------------------------------------------------------------===//
#include "codegen/aot.h"
#include "codegen/split.h"
#include "codegen/target.h"
#include "cpq/runtime/kernel_helpers.h"
#include "cpq/runtime/manifest.h"
#include "cpq/runtime/model.h"

#include "cpq/dialect/CpqDialect.h"
#include "cpq/dialect/Passes.h"
#include "schedules/schedule.h"

#include "mlir/Dialect/StandardOps/IR/Ops.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <unistd.h>

namespace cpq::codegen {

namespace {
// A helper library a shared kernel links: an installed tool finds it in the
// installed tree (<prefix>/bin/CPQ_BIN_TO_LIB/<file>), wherever that was
// installed; a tool in the build tree finds it where the build made it.
std::string helper_library(const char *built) {
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const std::filesystem::path installed =
        self.parent_path() / CPQ_BIN_TO_LIB / std::filesystem::path(built).filename();
    if (std::filesystem::is_regular_file(installed, ec)) return installed.string();
  }
  return built;
}
} // namespace

namespace {

std::string base_name(const std::string &path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

} // namespace

/// The packed model file of a kernel compiled with its parameters as inputs.
bool write_model(const AotOptions &o, const LoweredFunction &f, const std::string &c_name, std::string &error) {
  if (f.model.empty()) {
    error = o.input + ": function '" + o.function +
            "' has no bound parameters to put in a model file (bind them first: --cpq-inference-pipeline)";
    return false;
  }
  return runtime::write_model_file(o.model, o.output, c_name, f.model, error, o.pin_kernel);
}

namespace {

/// Traces the production of every Func the schedule computes at root
/// (outputs included, extern stages not): two events a Func a call, all on
/// the calling thread, which the loaded kernel turns into exact times.
void trace_root_funcs(Halide::Pipeline &pipeline) {
  for (auto &[name, f] : schedules::pipeline_functions(pipeline)) {
    if (f.has_extern_definition()) continue;
    Halide::LoopLevel level = f.schedule().compute_level();
    level.lock();
    if (level.is_root()) Halide::Func(f).trace_realizations();
  }
}

/// The pipelines `func` is compiled as (AotOptions::split), or 0 with
/// `error` set when the options forbid the count asked for. A GPU target
/// compiles one pipeline: each part's module would carry its device code
/// as a constant of one fixed name ("opencl_gpu_source_kernels"), which
/// linked parts cannot share (found on the VGG-style network's step).
int split_count(const AotOptions &o, mlir::FuncOp func, bool gpu, std::string &error) {
  // Timed stages are named by their Funcs, which parts would repeat.
  const bool splittable = o.schedule == "hand" && o.model.empty() && !o.time_root_funcs && !gpu;
  if (o.split == 0) {
    if (!splittable) return 1;
    try {
      return automatic_parts(function_ops(func));
    } catch (const std::invalid_argument &) {
      return 1; // not a flat list of ops: one pipeline
    }
  }
  if (o.split < 0) {
    error = "--split must be 0 (automatic) or a number of pipelines, got " + std::to_string(o.split);
    return 0;
  }
  if (o.split > 1 && !splittable) {
    error = "--split " + std::to_string(o.split) + " needs the hand schedule, no --model and no timed stages (" +
            (!o.model.empty()    ? "a packed model's kernel is one pipeline"
             : o.time_root_funcs ? "the stages' times are named by Funcs, which parts repeat"
             : gpu               ? "a GPU target's device code is one module"
                                 : "schedule files and autoschedulers name the stages of one pipeline") +
            ")";
    return 0;
  }
  return o.split;
}

} // namespace

bool compile_aot(const AotOptions &o, std::string &error) {
  if (!o.space) {
    // Said before a compile that may take minutes, not after it.
    const std::filesystem::path folder = std::filesystem::path(o.output).parent_path();
    std::error_code ec;
    if (!folder.empty() && !std::filesystem::is_directory(folder, ec)) {
      error = "-o " + o.output + ": the folder '" + folder.string() + "' does not exist";
      return false;
    }
  }
  mlir::MLIRContext context;
  mlir::DialectRegistry registry;
  registry.insert<dialect::CpqDialect, mlir::StandardOpsDialect>();
  context.appendDialectRegistry(registry);
  context.loadAllAvailableDialects();
  llvm::SourceMgr sources;
  mlir::SourceMgrDiagnosticHandler diagnostics(sources, &context);
  mlir::OwningOpRef<mlir::ModuleOp> module = mlir::parseSourceFile<mlir::ModuleOp>(o.input, sources, &context);
  if (!module) {
    error = o.input + ": not a valid cpq module (see the errors above)";
    return false;
  }
  if (!o.pipeline.empty()) {
    dialect::registerPassesAndPipelines();
    mlir::PassManager pm(&context);
    std::string message;
    llvm::raw_string_ostream messages(message);
    if (mlir::failed(mlir::parsePassPipeline(o.pipeline, pm, messages))) {
      error = "bad pipeline '" + o.pipeline + "': " + messages.str();
      return false;
    }
    if (mlir::failed(pm.run(*module))) {
      error = o.input + ": the pipeline '" + o.pipeline + "' failed (see the errors above)";
      return false;
    }
  }
  mlir::FuncOp func = module->lookupSymbol<mlir::FuncOp>(o.function);
  if (!func) {
    error = o.input + ": no function '" + o.function + "'; it has:";
    for (mlir::FuncOp f : module->getOps<mlir::FuncOp>()) error += " " + f.getName().str();
    return false;
  }
  const std::string name = runtime::c_identifier(o.name.empty() ? base_name(o.output) : o.name);

  try {
    std::vector<Halide::Target> targets;
    for (const std::string &t : o.targets) {
      if (t == "host") {
        targets.push_back(host_target());
      } else if (t.rfind("host-", 0) == 0 &&
                 Halide::Target::validate_target_string(host_target().to_string() + t.substr(4))) {
        // host plus features ("host-profile"): this CPU's target with them.
        targets.emplace_back(host_target().to_string() + t.substr(4));
      } else if (Halide::Target::validate_target_string(t)) {
        targets.emplace_back(t);
      } else {
        error = "not a Halide target: '" + t + "'";
        return false;
      }
    }
    for (Halide::Target &t : targets) t = with_gpu_needs(t);
    const bool gpu = std::any_of(targets.begin(), targets.end(), [](const Halide::Target &t) { return t.has_gpu_feature(); });
    if (o.profile)
      for (Halide::Target &t : targets) t = t.with_feature(Halide::Target::Profile);
    LoweringOptions lowering = gpu ? for_gpu(o.lowering) : o.lowering;
    // Schedule files are points of the hand schedules' space (schedules/space.h).
    const bool autoscheduled = o.schedule != "hand" && !schedules::is_schedule_file(o.schedule);
    lowering.clamp_inputs = lowering.clamp_inputs || autoscheduled;
    lowering.constant_edge_loops = lowering.constant_edge_loops || autoscheduled;
    lowering.parameters_as_inputs = lowering.parameters_as_inputs || !o.model.empty();
    if (autoscheduled) lowering.packed_products = "halide"; // the autoschedulers schedule no extern stages
    auto first = lower_function(func, lowering);
    if (!first) {
      error = o.input + ": function '" + o.function + "' cannot be lowered (see the errors above)";
      return false;
    }
    // One lowering and one schedule, made for the first (most specific)
    // target, compiled for every target: the Funcs and so the argument names
    // are the same in all of them and in the manifest.
    Halide::Pipeline pipeline = first->pipeline();
    if (o.space) {
      *o.space = schedules::schedule_space(first->stages, first->output_funcs(), targets[0]);
      return true;
    }
    const int parts = split_count(o, func, gpu, error);
    if (parts < 1) return false;
    auto schedule = [&](Halide::Pipeline &p, const LoweredFunction &f) {
      schedules::apply_schedule(p, f.stages, f.output_funcs(), targets[0], o.schedule, o.partial_schedule);
      if (o.time_root_funcs) trace_root_funcs(p);
    };
    std::vector<LoweredFunction> part_functions;
    std::vector<Halide::Pipeline> part_pipelines;
    if (parts > 1) {
      for (mlir::FuncOp pf : split_function(func, parts)) {
        auto lowered = lower_function(pf, lowering);
        pf.erase();
        if (!lowered) {
          error = o.input + ": a part of function '" + o.function + "' cannot be lowered (see the errors above)";
          return false;
        }
        part_pipelines.push_back(lowered->pipeline());
        schedule(part_pipelines.back(), *lowered);
        part_functions.push_back(std::move(*lowered));
      }
    } else {
      schedule(pipeline, *first);
    }
    const std::vector<Halide::Argument> arguments = first->arguments();
    auto factory = [&](const std::string &fn_name, const Halide::Target &target) {
      if (parts > 1) return link_parts(fn_name, target, *first, part_functions, part_pipelines);
      return pipeline.compile_to_module(arguments, fn_name, target);
    };

    // Everything goes to temporary names first.
    const std::string tmp = o.output + ".tmp" + std::to_string(::getpid());
    std::vector<std::pair<std::string, std::string>> written; // temporary, final
    auto produced = [&](const std::string &suffix) {
      written.emplace_back(tmp + suffix, o.output + suffix);
      return tmp + suffix;
    };
    std::map<Halide::OutputFileType, std::string> files = {
        {Halide::OutputFileType::static_library, produced(".a")},
        {Halide::OutputFileType::c_header, produced(".h")},
    };
    if (targets.size() == 1) {
      factory(name, targets[0]).compile(files);
    } else {
      Halide::compile_multitarget(name, files, targets, {}, factory);
    }
    if (o.stmt || o.assembly) {
      std::map<Halide::OutputFileType, std::string> listings;
      if (o.stmt) listings[Halide::OutputFileType::stmt] = produced(".stmt");
      if (o.assembly) listings[Halide::OutputFileType::assembly] = produced(".s");
      factory(name, targets[0]).compile(listings);
    }
    {
      std::ofstream manifest(produced(".json"));
      runtime::Manifest m = first->manifest(name);
      m.timed = o.time_root_funcs;
      if (targets[0].has_feature(Halide::Target::OpenCL)) m.device = "opencl";
      else if (targets[0].has_feature(Halide::Target::CUDA)) m.device = "cuda";
      manifest << runtime::manifest_json(m);
      if (!manifest) {
        error = o.output + ".json: cannot write";
        return false;
      }
    }
    if (o.shared) {
      std::string command = std::string(CPQ_CXX) + " -shared -o '" + produced(".so") + "' -Wl,--whole-archive '" +
                            tmp + ".a' -Wl,--no-whole-archive";
      // The runtime libraries that define the helpers the kernel calls.
      namespace helpers = runtime::helpers;
      std::set<helpers::Library> libraries;
      for (const std::string &e : first->externs) {
        const helpers::Helper *h = helpers::find(e);
        if (!h) throw std::logic_error("the kernel calls an unknown helper '" + e + "'");
        libraries.insert(h->library);
      }
      if (libraries.count(helpers::Library::Packed))
        command += " '" + helper_library(CPQ_PACKED_EXTERNS_LIB) + "' '" + helper_library(CPQ_KERNELS_DISPATCH_LIB) + "'";
      if (libraries.count(helpers::Library::Training)) command += " '" + helper_library(CPQ_TRAINING_EXTERNS_LIB) + "'";
      command += " -lpthread -ldl";
      if (std::system(command.c_str()) != 0) {
        error = "linking the shared object failed: " + command;
        for (auto &[from, to] : written) std::remove(from.c_str());
        return false;
      }
    }
    for (auto &[from, to] : written) {
      if (std::rename(from.c_str(), to.c_str()) != 0) {
        error = to + ": cannot write";
        return false;
      }
    }
    if (!o.model.empty()) return write_model(o, *first, name, error);
    return true;
  } catch (const Halide::CompileError &e) {
    error = "Halide could not compile '" + o.function + "': " + e.what();
  } catch (const Halide::InternalError &e) {
    error = "Halide failed inside (schedule " + o.schedule + ") on '" + o.function + "': " + e.what();
  } catch (const std::exception &e) {
    error = "compiling '" + o.function + "' failed: " + e.what();
  }
  // Nothing half-written is left under the final names or the temporary ones.
  const std::string tmp = o.output + ".tmp" + std::to_string(::getpid());
  for (const char *suffix : {".a", ".h", ".so", ".json", ".stmt", ".s"}) std::remove((tmp + suffix).c_str());
  return false;
}

} // namespace cpq::codegen
