//===- cpq-opt.cpp - the cpq pass driver -------------------------------------===//
//
// Parses .mlir in the cpq dialect (with builtin and std), runs the cpq passes
// and pipelines, prints the result. It reads its options itself (rather than
// through the one-call MlirOptMain) to refuse an empty input, which MLIR would
// accept as an empty module: a user who points it at the wrong file gets an
// error and exit code 1.
//
//===----------------------------------------------------------------------===//
#include "cpq/dialect/CpqDialect.h"
#include "cpq/dialect/Passes.h"

#include "mlir/Dialect/StandardOps/IR/Ops.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/MlirOptMain.h"
#include "mlir/Support/Timing.h"
#include "mlir/Transforms/Passes.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"

namespace cl = llvm::cl;

static cl::opt<std::string> inputFilename(cl::Positional, cl::desc("<input .mlir file>"), cl::init("-"));
static cl::opt<std::string> outputFilename("o", cl::desc("Output file"), cl::value_desc("filename"), cl::init("-"));
static cl::opt<bool> splitInputFile("split-input-file",
                                    cl::desc("Process each chunk between '// -----' lines separately"));
static cl::opt<bool> verifyDiagnostics("verify-diagnostics",
                                       cl::desc("Check that emitted diagnostics match expected-* comments"));
static cl::opt<bool> verifyPasses("verify-each", cl::desc("Verify the IR after each pass"), cl::init(true));
static cl::opt<bool> allowUnregistered("allow-unregistered-dialect", cl::desc("Accept ops of unknown dialects"));

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  mlir::registerCanonicalizerPass();
  mlir::registerCSEPass();
  mlir::registerSymbolDCEPass();
  cpq::dialect::registerPassesAndPipelines();
  mlir::registerAsmPrinterCLOptions();
  mlir::registerMLIRContextCLOptions();
  mlir::registerPassManagerCLOptions();
  mlir::registerDefaultTimingManagerCLOptions();
  mlir::PassPipelineCLParser passPipeline("", "Passes and pipelines to run");
  cl::ParseCommandLineOptions(argc, argv, "cpq optimizer driver: runs cpq passes and pipelines on .mlir files\n");

  std::string error;
  std::unique_ptr<llvm::MemoryBuffer> input = mlir::openInputFile(inputFilename, &error);
  if (!input) {
    llvm::errs() << inputFilename << ": error: " << error << "\n";
    return 1;
  }
  if (input->getBuffer().trim().empty() && !splitInputFile) {
    const std::string name = inputFilename == "-" ? "<stdin>" : inputFilename.getValue();
    llvm::errs() << name << ":1:1: error: empty input: expected a module with a network function\n";
    return 1;
  }
  std::unique_ptr<llvm::ToolOutputFile> output = mlir::openOutputFile(outputFilename, &error);
  if (!output) {
    llvm::errs() << outputFilename << ": error: " << error << "\n";
    return 1;
  }
  mlir::DialectRegistry registry;
  registry.insert<cpq::dialect::CpqDialect, mlir::StandardOpsDialect>();
  if (mlir::failed(mlir::MlirOptMain(output->os(), std::move(input), passPipeline, registry, splitInputFile,
                                     verifyDiagnostics, verifyPasses, allowUnregistered)))
    return 1;
  output->keep();
  return 0;
}
