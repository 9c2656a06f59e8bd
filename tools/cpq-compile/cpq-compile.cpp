//===- cpq-compile.cpp - cpq functions to AOT kernels ------------------------===//
//
// cpq-compile net.mlir --function train_step [--pipeline ...] -o out/name
// writes out/name.a, .h (multi-target, run-time dispatch), .so and .json
// (the arguments), with --stmt / --asm Halide's listings, and with --model
// a packed model file (the kernel then takes the parameters as inputs, the
// file holds them, packed weights as bytes). Errors of the
// input or of Halide come back as one message and exit code 1.
//
//===----------------------------------------------------------------------===//
#include "codegen/aot.h"
#include "schedules/schedule.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/raw_ostream.h"

namespace cl = llvm::cl;

static cl::opt<std::string> input(cl::Positional, cl::desc("<input .mlir>"), cl::Required);
static cl::opt<std::string> function("function", cl::desc("Function to compile (train_step, eval_step, inference, ...)"),
                                     cl::Required);
static cl::opt<std::string> output("o", cl::desc("Output prefix: <prefix>.a .h .so .json"), cl::Required);
static cl::opt<std::string> name("name", cl::desc("C function name (default: the output's file name)"));
static cl::opt<std::string> pipeline("pipeline", cl::desc("cpq-opt pass pipeline to run first, e.g. cpq-train-pipeline"));
static cl::list<std::string> targets("target", cl::desc("Halide target, most specific first (repeatable; default host)"));
static cl::opt<std::string> schedule("schedule",
                                     cl::desc("hand, Adams2019, Li2018, Mullapudi2016, or a schedule file (JSON, as "
                                              "cpq-tune writes)"),
                                     cl::init("hand"));
static cl::opt<int> batch("batch-estimate", cl::desc("Batch size the autoschedulers optimise for"), cl::init(64));
static cl::opt<int> window("edge-window",
                           cl::desc("Quantizer backward: edges visited on each side (0: what each call's sigma/alpha need)"),
                           cl::init(0));
static cl::opt<std::string> products("packed-products",
                                     cl::desc("Integer products of packed layers: qgemm (the hand-written extern "
                                              "kernel, default) or halide (plain int32 contractions)"),
                                     cl::init("qgemm"));
static cl::opt<int> split("split",
                          cl::desc("Pipelines to compile the function as: its ops in N consecutive parts called by one "
                                   "entry point (1: one pipeline; 0, the default: one per 40 ops above 80 ops)"),
                          cl::init(0));
static cl::opt<bool> noShared("no-shared", cl::desc("Do not link a shared object"));
static cl::opt<bool> stmt("stmt", cl::desc("Also write Halide's statement listing (<prefix>.stmt)"));
static cl::opt<bool> assembly("asm", cl::desc("Also write the assembly (<prefix>.s)"));
static cl::opt<std::string> model("model",
                                  cl::desc("Also write a packed model file (safetensors): bound parameters become the "
                                           "kernel's inputs, their values (packed weights as bytes) go to the file"));
static cl::opt<bool> pinKernel("pin-kernel",
                               cl::desc("With --model: record the kernel's SHA-256 in the model file; loaders then "
                                        "refuse a kernel of another digest"));

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::ParseCommandLineOptions(argc, argv, "cpq-compile: compiles a function of the cpq dialect to AOT kernels\n");
  const auto &known = cpq::schedules::autoscheduler_names();
  if (schedule != "hand" && std::find(known.begin(), known.end(), schedule.getValue()) == known.end() &&
      !llvm::sys::fs::exists(schedule.getValue())) {
    llvm::errs() << "cpq-compile: error: unknown schedule '" << schedule
                 << "' (hand, Adams2019, Li2018, Mullapudi2016, or a schedule file; no such file)\n";
    return 1;
  }
  if (products != "qgemm" && products != "halide") {
    llvm::errs() << "cpq-compile: error: --packed-products must be qgemm or halide, got '" << products << "'\n";
    return 1;
  }
  // GPU targets compute the packed products in Halide, on the device
  // (codegen::for_gpu): the extern qgemm is for the CPU.
  for (const std::string &t : targets)
    for (const char *api : {"opencl", "cuda", "metal", "d3d12", "vulkan"})
      if (products.getNumOccurrences() > 0 && products == "qgemm" && t.find(api) != std::string::npos) {
        llvm::errs() << "cpq-compile: error: --packed-products qgemm is the CPU's extern product; target '" << t
                     << "' computes packed products on the device (halide)\n";
        return 1;
      }
  if (window < 0) {
    llvm::errs() << "cpq-compile: error: --edge-window must be 0 (automatic) or a number of edges, got " << window << "\n";
    return 1;
  }
  cpq::codegen::AotOptions o;
  o.input = input, o.function = function, o.output = output, o.name = name, o.pipeline = pipeline;
  if (!targets.empty()) o.targets.assign(targets.begin(), targets.end());
  o.schedule = schedule, o.shared = !noShared, o.stmt = stmt, o.assembly = assembly, o.model = model;
  if (pinKernel && model.empty()) {
    llvm::errs() << "cpq-compile: error: --pin-kernel pins the kernel in a model file: it needs --model\n";
    return 1;
  }
  o.pin_kernel = pinKernel;
  o.split = split;
  o.lowering.batch_estimate = batch, o.lowering.edge_window = window, o.lowering.packed_products = products;
  std::string error;
  if (!cpq::codegen::compile_aot(o, error)) {
    llvm::errs() << "cpq-compile: error: " << error << "\n";
    return 1;
  }
  return 0;
}
