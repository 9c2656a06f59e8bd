//===- fuzz_onnx.cpp - libFuzzer target: the ONNX importer -----------------===//
//
// The input is an ONNX file's bytes for cpq::importer::import_onnx (protobuf
// parse, the graph walk, the network written and verified by parsing it
// back). A failure names the source; an import's parameters are consistent
// float32 tensors, its network verified, its input N x C x H x W or N x F
// and its output N x classes.
//
//===----------------------------------------------------------------------===//
#include "import/onnx_import.h"

#include "fuzz_check.h"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  const std::string bytes(reinterpret_cast<const char *>(data), size);
  cpq::importer::Network net;
  std::string error;
  if (!cpq::importer::import_onnx(bytes, "input", {}, net, error)) {
    fuzz_note("refused: " + error);
    FUZZ_CHECK(names_source(error, "input") || error.rfind("the function name", 0) == 0, error);
    return 0;
  }
  fuzz_note("imported " + net.function);
  FUZZ_CHECK(!net.mlir.empty() && !net.function.empty(), "an import without a network");
  FUZZ_CHECK(net.input_shape.size() == 4 || net.input_shape.size() == 2, "input rank");
  FUZZ_CHECK(net.output_shape.size() == 2, "output rank");
  for (const cpq::safetensors::Tensor &t : net.params.tensors) {
    FUZZ_CHECK(t.dtype == "F32", t.name + " is " + t.dtype);
    FUZZ_CHECK(t.data.size() == std::size_t(t.elements()) * 4, t.name + ": bytes and shape disagree");
  }
  return 0;
}
