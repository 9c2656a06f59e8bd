//===- model.h - packed models: a kernel and its parameter file -*- C++ -*-===//
//
// This file declares `Model`: a packed model file (safetensors, written by
// `cpq-compile --model`) opened together with the kernel its metadata names.
// The file holds every parameter input of that kernel (packed weights as
// bytes: in qgemm's panel layout, as bit rows for binary layers, or in
// cpq.pack's rows; requantization scales, biases and the quantizers' alphas
// as float32; per-output sums of weight levels as int32 for layers on int8
// activations), each checked against the kernel's
// manifest when the model is loaded; a call binds them and takes only the
// data (the images and the logits). Metadata keys:
//   cpq.format     "packed-model 1"
//   cpq.kernel     the kernel's prefix (PREFIX.so, PREFIX.json), relative
//                  to the model file's folder unless absolute
//   cpq.function   the kernel's C function
//   cpq.elements.T the element count of T's weight (packed) or of T
//   cpq.layout.T   for a packed weight: grid, bits, logical shape, bit order
// Nothing throws: failures are `false` / null with a message naming the file.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "cpq/runtime/kernel.h"
#include "cpq/runtime/tensor.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace cpq::runtime {

/// One tensor of a model file, for --info.
struct ModelTensorInfo {
  std::string name, dtype, layout; ///< layout: empty unless a packed weight
  std::vector<std::int64_t> shape;
  std::int64_t bytes = 0;    ///< stored bytes
  std::int64_t elements = 0; ///< the (logical) tensor's elements
};

class Model {
public:
  /// Opens the model file `path` and its kernel; null with `error` set.
  static std::unique_ptr<Model> load(const std::string &path, std::string &error);

  const std::string &path() const { return path_; }
  const std::string &kernel_prefix() const { return kernel_prefix_; }
  const Kernel &kernel() const { return *kernel_; }
  const std::vector<ModelTensorInfo> &tensors() const { return info_; }
  /// The file's size on disk, and its header (JSON and length) bytes.
  std::int64_t file_bytes() const { return file_bytes_; }
  std::int64_t header_bytes() const { return header_bytes_; }

  /// Whether the kernel's argument `name` is one of the model's parameters
  /// (bound from the file), not a data argument of a call.
  bool is_parameter(const std::string &name) const { return bound_.count(name) != 0; }

  /// Runs the kernel on `buffers` (its arguments other than the model's
  /// parameters: the input and the outputs).
  bool call(const std::map<std::string, halide_buffer_t *> &buffers, std::string &error) const;

private:
  Model() = default;
  std::string path_, kernel_prefix_;
  std::unique_ptr<Kernel> kernel_;
  std::vector<std::unique_ptr<HostTensor>> values_;
  std::map<std::string, halide_buffer_t *> bound_;
  std::vector<ModelTensorInfo> info_;
  std::int64_t file_bytes_ = 0, header_bytes_ = 0;
};

/// Whether `path` names a model file rather than a kernel prefix (it ends
/// in .safetensors).
bool is_model_file(const std::string &path);

} // namespace cpq::runtime
