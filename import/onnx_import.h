//===- onnx_import.h - ONNX graphs to cpq networks -----------------------===//
//
// Reads an ONNX model (ONNX's own protobuf definitions, Debian libonnx-dev)
// whose graph uses the layers the cpq dialect has, and writes the network as
// a function of the dialect (verified by parsing it back) and its
// initializers as parameters by name (a safetensors file that cpq-train
// --init-from and cpq-opt --cpq-bind-params read).
//
// Taken: Conv (groups, stride, symmetric pads), Gemm, MatMul (+ Add of a
// bias: one dense layer), Relu, MaxPool, AveragePool, GlobalAveragePool,
// BatchNormalization (inference), Add of two activations, Flatten, Reshape
// to [N, features], Identity, Dropout, Pad of zeros, Constant, and Softmax /
// LogSoftmax as the last op (dropped: a cpq network returns logits).
// Anything else (an op, a dtype, an attribute value) is an error naming the
// node.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "cpq/runtime/safetensors.h"

#include <cstdint>
#include <string>
#include <vector>

namespace cpq::importer {

struct Options {
  /// The function's name; empty: the ONNX graph's name if it is a valid
  /// identifier other than PyTorch's "torch_jit" / "torch-jit-export", else "net".
  std::string function;
};

struct Network {
  std::string function;                    // the func's name
  std::string mlir;                        // the cpq network (verified)
  safetensors::File params;                // initial values by parameter name
  std::vector<std::int64_t> input_shape;   // -1: the batch
  std::vector<std::int64_t> output_shape;
  std::vector<std::string> notes;          // what was folded, renamed or dropped
  int onnx_nodes = 0;                      // nodes of the ONNX graph
  int layers = 0;                          // cpq layer ops written
  std::string producer;                    // "pytorch 1.13.0"
  std::int64_t opset = 0;
};

/// Imports the ONNX model in `bytes`; `what` names it in messages (the file).
/// False with `error` = "<what>: <problem>" for a file that is not ONNX, and
/// "<what>: node #i 'name' (Op): <problem>" for what the dialect cannot say.
bool import_onnx(const std::string &bytes, const std::string &what, const Options &options, Network &out,
                 std::string &error);

/// Reads `path` and imports it.
bool import_onnx_file(const std::string &path, const Options &options, Network &out, std::string &error);

} // namespace cpq::importer
