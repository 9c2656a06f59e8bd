//===- cpq-import.cpp - ONNX model -> cpq network + parameters -----------===//
//
//   cpq-import model.onnx -o net.mlir [--params net.safetensors] [--function NAME]
//
// Writes the network as a function of the cpq dialect (net.mlir) and the
// ONNX initializers as its parameters by name (default: net.safetensors
// beside it), which `cpq-train net.mlir --init-from net.safetensors` starts
// from and `cpq-opt --cpq-bind-params=file=net.safetensors` binds. Both are
// written to temporary names and renamed. An op, dtype or attribute the
// dialect has no word for is a message naming the node, exit 1.
//
//===----------------------------------------------------------------------===//
#include "cpq/runtime/atomic_file.h"
#include "cpq/runtime/safetensors.h"
#include "import/onnx_import.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"

#include <cstdio>
#include <cstdlib>
#include <string>

namespace cl = llvm::cl;

static cl::OptionCategory importOptions("cpq-import options");
static cl::opt<std::string> inputOpt(cl::Positional, cl::desc("<model.onnx>"), cl::Required, cl::cat(importOptions));
static cl::opt<std::string> outputOpt("o", cl::desc("the cpq network to write (.mlir)"), cl::value_desc("FILE"),
                                      cl::Required, cl::cat(importOptions));
static cl::opt<std::string> paramsOpt("params",
                                      cl::desc("the parameters' safetensors file (default: the output's name with "
                                               ".safetensors)"),
                                      cl::value_desc("FILE"), cl::init(""), cl::cat(importOptions));
static cl::opt<std::string> functionOpt("function",
                                        cl::desc("the network function's name (default: the output file's stem)"),
                                        cl::value_desc("NAME"), cl::init(""), cl::cat(importOptions));
static cl::opt<bool> quietOpt("quiet", cl::desc("print nothing but errors"), cl::init(false), cl::cat(importOptions));

[[noreturn]] static void fail(const std::string &message) {
  std::fprintf(stderr, "cpq-import: %s\n", message.c_str());
  std::exit(1);
}

static std::string stem(const std::string &path) {
  std::string base = path.substr(path.find_last_of('/') == std::string::npos ? 0 : path.find_last_of('/') + 1);
  const auto dot = base.find_last_of('.');
  return dot == std::string::npos || dot == 0 ? base : base.substr(0, dot);
}

static std::string shape_text(const std::vector<std::int64_t> &s) {
  std::string t;
  for (std::size_t k = 0; k < s.size(); ++k) t += (k ? " x " : "") + (s[k] < 0 ? std::string("N") : std::to_string(s[k]));
  return t;
}

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(importOptions);
  cl::ParseCommandLineOptions(argc, argv,
                              "cpq-import: an ONNX model (Conv, Gemm, MatMul + Add, Relu, MaxPool, AveragePool, "
                              "BatchNormalization, Add, Flatten/Reshape, Softmax at the end) -> a cpq network and "
                              "its parameters\n");
  const std::string params_path =
      !paramsOpt.empty() ? std::string(paramsOpt)
                         : (outputOpt.getValue().size() > 5 && outputOpt.getValue().substr(outputOpt.getValue().size() - 5) == ".mlir"
                                ? outputOpt.getValue().substr(0, outputOpt.getValue().size() - 5)
                                : std::string(outputOpt)) +
                               ".safetensors";
  if (params_path == outputOpt) fail("--params and -o name the same file " + params_path);

  cpq::importer::Options options;
  options.function = functionOpt;
  if (options.function.empty()) {
    // The output's stem, made an identifier (net-v2.mlir -> net_v2).
    std::string s = stem(outputOpt);
    for (char &c : s)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') c = '_';
    if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) s = "net_" + s;
    options.function = s;
  }
  cpq::importer::Network net;
  std::string error;
  if (!cpq::importer::import_onnx_file(inputOpt, options, net, error)) fail(error);

  if (!cpq::safetensors::write(params_path, net.params, error)) fail(error);
  if (!cpq::runtime::write_atomically(outputOpt, net.mlir, error)) fail(error);

  if (!quietOpt) {
    std::int64_t values = 0;
    for (const auto &t : net.params.tensors) values += t.elements();
    std::printf("%s (%s, ONNX operator set %lld): %d nodes -> %d cpq layers\n", inputOpt.c_str(),
                net.producer.empty() ? "unknown producer" : net.producer.c_str(), (long long)net.opset, net.onnx_nodes,
                net.layers);
    std::printf("  function @%s: %s -> %s\n", net.function.c_str(), shape_text(net.input_shape).c_str(),
                shape_text(net.output_shape).c_str());
    std::printf("  %zu parameters, %lld values\n", net.params.tensors.size(), (long long)values);
    for (const std::string &note : net.notes) std::printf("  note: %s\n", note.c_str());
    std::printf("wrote %s and %s\n", outputOpt.c_str(), params_path.c_str());
  }
  return 0;
}
