//===- model_file.h - the names and writer of packed model files -*- C++ -*-===//
//
// This file defines the packed model format once: the code generator writes
// model files with write_model_file, and cpq::runtime::Model (model.h)
// reads them. A packed model is a safetensors file of the parameter inputs
// of its kernel; metadata keys:
//   cpq.format            "packed-model 1"
//   cpq.kernel            the kernel's prefix (PREFIX.so, PREFIX.json),
//                         relative to the model file's folder unless absolute
//   cpq.function          the kernel's C function
//   cpq.elements.T        the element count of T's weight (packed) or of T
//   cpq.layout.T          for a packed weight: grid, bits, logical shape and
//                         bit order, for people
//   cpq.weight_layout.T   for a packed weight: rows, panels or bit_rows
//                         (cpq/kernels/packed_weights.h)
//   cpq.kernel_sha256     (optional) the SHA-256 of PREFIX.so, checked
//                         before the kernel is loaded
//   cpq.rows_to_panels.T  "<grid> <bits>" (e.g. "signed 3"): T is stored in
//                         the rows layout at its own width, and the loader
//                         lays it out as panels (qgemm.h) for its kernel;
//                         grids of 3, 5, 6 and 7 bits, which panels hold in
//                         4 or 8 bits, so the file keeps their true size
//                         (format "packed-model 2"; files without the key
//                         stay "packed-model 1")
// The compressed format (compressed_model.h) shares the first three keys.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "cpq/kernels/packed_weights.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cpq::runtime {

/// The names of the packed model format.
namespace model_format {
inline constexpr char tag[] = "packed-model 1"; ///< the value of format_key: format and version
inline constexpr char tag_v2[] = "packed-model 2"; ///< the same with rows_to_panels tensors
inline constexpr char format_key[] = "cpq.format";
inline constexpr char kernel_key[] = "cpq.kernel";
inline constexpr char function_key[] = "cpq.function";
inline constexpr char elements_prefix[] = "cpq.elements.";           ///< + tensor name
inline constexpr char layout_prefix[] = "cpq.layout.";               ///< + tensor name
inline constexpr char weight_layout_prefix[] = "cpq.weight_layout."; ///< + tensor name
inline constexpr char rows_to_panels_prefix[] = "cpq.rows_to_panels."; ///< + tensor name
/// The SHA-256 of the kernel's shared object (64 lowercase hex digits), when
/// the writer pinned it: loaders refuse a kernel of another digest.
inline constexpr char kernel_sha256_key[] = "cpq.kernel_sha256";
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
  /// Set when `bytes` hold this grid's weight in the rows layout while the
  /// kernel reads it as panels of `kernel_shape` bytes: the loader lays it
  /// out once (panels_from_packed_rows).
  std::optional<GridSpec> rows_to_panels;
  std::vector<std::int64_t> kernel_shape; ///< with rows_to_panels: the panel bytes' shape
};

/// "signed 3" for a grid, and back (nullopt for text that names none).
std::string grid_text(GridSpec grid);
std::optional<GridSpec> grid_from_text(const std::string &text);

/// Writes the model file `path` (atomically) of the kernel at
/// `kernel_prefix`, whose C function is `function`: the prefix is recorded
/// relative to the file's folder when it can be (loaders accept by default
/// only a kernel in the model file's folder: model.h). With `pin_kernel`,
/// the SHA-256 of PREFIX.so is recorded too. False with `error` set.
bool write_model_file(const std::string &path, const std::string &kernel_prefix, const std::string &function,
                      const std::vector<ModelFileTensor> &tensors, std::string &error, bool pin_kernel = false);

/// The SHA-256 of the kernel's shared object `kernel_prefix`.so for
/// kernel_sha256_key; false with `error` naming the file.
bool kernel_digest(const std::string &kernel_prefix, std::string &digest, std::string &error);

/// What a model file records for its kernel `kernel_prefix`: the prefix
/// relative to the folder of `model_path` when it can be, else absolute.
std::string kernel_reference(const std::string &model_path, const std::string &kernel_prefix);

/// The kernel prefix a model file at `model_path` records as `reference`.
std::string resolve_kernel(const std::string &model_path, const std::string &reference);

} // namespace cpq::runtime
