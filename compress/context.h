//===- context.h - what the parts of compress_run share -------*- C++ -*-===//
//
// Private to compress/: the state of one compression (the run's network,
// kernels, data, and each coded parameter's values, mask and clusters), and
// the functions one part of compress_run (compress.cpp: importance, pruning,
// quantizing, fine-tuning) calls in the other (write.cpp: the compressed
// model of the current values, written, loaded back and evaluated).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "codegen/network.h"
#include "compress/compress.h"
#include "cpq/runtime/idx.h"
#include "cpq/runtime/kernel.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace cpq::compress {

/// A parameter compression codes: a layer's weight (prunable) or bias.
struct Coded {
  std::string name, c_name;
  std::vector<std::int64_t> shape;
  bool weight = false;
  std::vector<float> values, importance;
  std::vector<std::uint8_t> keep; ///< per value; all 1 unless pruned
  std::vector<std::uint32_t> cluster; ///< per kept value (in position order)
  std::string codebook;
  std::string scale; ///< --method grid: the alpha parameter scaling the centres
};

struct Context {
  explicit Context(const Options &options) : o(options) {}
  const Options &o;
  std::string error;
  codegen::PreparedNetwork network;
  std::unique_ptr<runtime::Kernel> step, eval;
  idx::LabelledImages train, test;
  std::vector<Coded> coded;
  std::map<std::string, std::vector<float>> others; ///< parameters stored as they are
  std::string work;
  bool kernel_compiled = false;
  void note(const std::string &m) const {
    if (o.note) o.note(m);
  }
  bool fail(const std::string &m) { return error = m, false; }
};

/// The C name of the kernel parameter `tensor` (of the run's train_step), or "".
std::string c_name_of(const Context &c, const std::string &tensor);

/// The current values as a safetensors file of the network's parameters.
bool write_current(Context &c, const std::string &path);

/// The compressed model of the current values: the kernel compiled, the
/// file written and loaded back, its accuracy measured.
bool write_and_evaluate(Context &c, const std::vector<runtime::Codebook> &books, Result &result);

} // namespace cpq::compress
