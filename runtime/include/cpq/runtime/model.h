//===- model.h - model files: a kernel and its parameters -------*- C++ -*-===//
//
// This file declares `Model`: a model file opened together with the kernel
// its metadata names. Two formats: a packed model (written by `cpq-compile
// --model`; model_file.h) and a compressed model (written by `cpq-compress`:
// codebooks, Huffman-coded indices and pruned positions;
// compressed_model.h), whose coded parameters are decoded when the model is
// loaded. A packed model file holds every parameter input of that kernel (packed weights as
// bytes: in qgemm's panel layout, as bit rows for binary layers, or in
// cpq.pack's rows (3-, 5-, 6- and 7-bit weights stored as rows are laid
// out as panels when the model is loaded); requantization scales, biases and the quantizers' alphas
// as float32; per-output sums of weight levels as int32 for layers on int8
// activations), each checked against the kernel's
// manifest when the model is loaded; a call binds them and takes only the
// data (the images and the logits). Nothing throws: failures are `false` /
// null with a message naming the file.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "cpq/runtime/compressed_model.h"
#include "cpq/runtime/kernel.h"
#include "cpq/runtime/model_file.h"
#include "cpq/runtime/safetensors.h"
#include "cpq/runtime/tensor.h"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cpq::runtime {

/// One tensor of a model file, for --info.
struct ModelTensorInfo {
  std::string name, dtype, layout; ///< layout: empty unless a packed or coded weight
  std::optional<WeightLayout> weight_layout; ///< packed weights of files that record it
  bool rows_to_panels = false; ///< stored as rows, laid out as panels for the kernel when loaded
  std::vector<std::int64_t> shape;
  std::int64_t bytes = 0;    ///< stored bytes
  std::int64_t elements = 0; ///< the (logical) tensor's elements
};

/// What loading a model file may trust. A model file names the shared
/// object it runs, so by default only a kernel in the model file's own
/// folder is loaded: a relative reference without "..", whose files (after
/// symbolic links) lie in that folder. A file that pins its kernel's
/// SHA-256 (cpq.kernel_sha256) gets exactly a kernel of that digest.
struct ModelLoadOptions {
  bool any_kernel_path = false;       ///< also absolute references, "..", links out of the folder
  bool require_pinned_kernel = false; ///< refuse a file without cpq.kernel_sha256
};

/// What check_model_file found in a model file without loading its kernel.
struct ModelFileCheck {
  bool compressed = false;
  std::string kernel_prefix; ///< resolved against the file's folder
  std::string function, kernel_sha256;
  std::vector<ModelTensorInfo> tensors; ///< packed files: every tensor, checked
  std::map<std::string, std::vector<std::uint8_t>> panels; ///< rows_to_panels tensors laid out as panels
  CompressedModel coded;                ///< compressed files: read and checked
  CompressionAccount account;
};

/// Checks everything in a model file (read as `file` from `path`) that does
/// not need its kernel: the format, the kernel reference (against
/// `options`), the pin, every tensor's layout metadata and, for compressed
/// files, the codes. False with `error` naming the file and the problem.
bool check_model_file(const std::string &path, const safetensors::File &file, const ModelLoadOptions &options,
                      ModelFileCheck &out, std::string &error);

class Model {
public:
  /// Opens the model file `path` and its kernel; null with `error` set. The
  /// kernel is refused before it is loaded when the file fails
  /// check_model_file, when it is missing, outside the model's folder
  /// (unless `options` allow it), not a shared object of this machine, of
  /// another manifest version or function, or not of the pinned digest.
  static std::unique_ptr<Model> load(const std::string &path, std::string &error,
                                     const ModelLoadOptions &options = {});

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

  /// A compressed model's cost (compressed_model.h), or null for a packed one.
  const CompressionAccount *compression() const { return compression_ ? &*compression_ : nullptr; }

private:
  Model() = default;
  bool bind(const KernelArgument &a, const std::string &dtype, const std::vector<std::int64_t> &shape,
            const void *bytes, std::size_t size, std::string &error);
  bool bind_compressed(const CompressedModel &coded, const CompressionAccount &account, std::string &error);
  std::string path_, kernel_prefix_;
  std::unique_ptr<Kernel> kernel_;
  std::vector<std::unique_ptr<HostTensor>> values_;
  std::map<std::string, halide_buffer_t *> bound_;
  std::vector<ModelTensorInfo> info_;
  std::int64_t file_bytes_ = 0, header_bytes_ = 0;
  std::optional<CompressionAccount> compression_;
};

/// Whether `path` names a model file rather than a kernel prefix (it ends
/// in .safetensors or .cpqz).
bool is_model_file(const std::string &path);

} // namespace cpq::runtime
