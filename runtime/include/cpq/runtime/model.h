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
// data (the images and the logits). The format (names below, in
// model_format::) is defined here once: the code generator writes model
// files with write_model_file, and Model reads them. Metadata keys:
//   cpq.format            "packed-model 1"
//   cpq.kernel            the kernel's prefix (PREFIX.so, PREFIX.json),
//                         relative to the model file's folder unless absolute
//   cpq.function          the kernel's C function
//   cpq.elements.T        the element count of T's weight (packed) or of T
//   cpq.layout.T          for a packed weight: grid, bits, logical shape and
//                         bit order, for people
//   cpq.weight_layout.T   for a packed weight: rows, panels or bit_rows
//                         (cpq/kernels/packed_weights.h)
// Nothing throws: failures are `false` / null with a message naming the file.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "cpq/kernels/packed_weights.h"
#include "cpq/runtime/kernel.h"
#include "cpq/runtime/tensor.h"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cpq::runtime {

/// The names of the packed model format.
namespace model_format {
inline constexpr char tag[] = "packed-model 1"; ///< the value of format_key: format and version
inline constexpr char format_key[] = "cpq.format";
inline constexpr char kernel_key[] = "cpq.kernel";
inline constexpr char function_key[] = "cpq.function";
inline constexpr char elements_prefix[] = "cpq.elements.";           ///< + tensor name
inline constexpr char layout_prefix[] = "cpq.layout.";               ///< + tensor name
inline constexpr char weight_layout_prefix[] = "cpq.weight_layout."; ///< + tensor name
} // namespace model_format

/// One tensor of a model file: a kernel input's name and the values it
/// takes (little-endian bytes of `dtype`, safetensors' names).
struct ModelFileTensor {
  std::string name, dtype;
  std::vector<std::int64_t> shape;
  std::vector<std::uint8_t> bytes;
  std::int64_t elements = 0; ///< the packed weight's element count, or the tensor's
  /// Packed weights: their layout and its description; none otherwise.
  std::optional<WeightLayout> weight_layout;
  std::string layout;
};

/// Writes the model file `path` (atomically) of the kernel at
/// `kernel_prefix`, whose C function is `function`: the prefix is recorded
/// relative to the file's folder when it can be. False with `error` set.
bool write_model_file(const std::string &path, const std::string &kernel_prefix, const std::string &function,
                      const std::vector<ModelFileTensor> &tensors, std::string &error);

/// One tensor of a model file, for --info.
struct ModelTensorInfo {
  std::string name, dtype, layout; ///< layout: empty unless a packed weight
  std::optional<WeightLayout> weight_layout; ///< packed weights of files that record it
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
