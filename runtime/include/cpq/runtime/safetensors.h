//===- safetensors.h - parameter files in the safetensors format -*- C++ -*-===//
//
// This file declares the reader and writer of safetensors files, the format
// of cpq's parameters, checkpoints and packed models: an 8-byte
// little-endian header length N, N bytes of JSON
//   {"name": {"dtype": "F32", "shape": [32, 1, 5, 5], "data_offsets": [b, e]},
//    ..., "__metadata__": {"key": "value", ...}}
// and then the tensors' raw little-endian bytes, [b, e) relative to the end
// of the header. Files written here are readable by other tools (the
// `safetensors` Python package) and vice versa.
//
// Errors come back as a message naming the file and the problem, never as
// an exception or a crash: the dialect's passes are built without
// exceptions. Writing goes to a temporary name, is fsync'ed and renamed, so
// a killed writer never leaves a half-written file under the final name.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace cpq::safetensors {

/// Bytes per element of a safetensors dtype ("F32", "I64", "U8", ...), 0 if
/// the name is not one of the format's dtypes.
std::size_t dtype_size(const std::string &dtype);

struct Tensor {
  std::string name;
  std::string dtype;
  std::vector<std::int64_t> shape;
  std::vector<std::uint8_t> data; // raw little-endian bytes

  std::int64_t elements() const;
  /// The data as float32 values (requires dtype F32).
  std::vector<float> as_f32() const;
};

struct File {
  std::map<std::string, std::string> metadata;
  std::vector<Tensor> tensors; // in the order of their data in the file

  const Tensor *find(const std::string &name) const;
};

/// Builds an F32 tensor.
Tensor make_f32(std::string name, std::vector<std::int64_t> shape, const std::vector<float> &values);

/// Reads `path`; on failure returns false with `error` = "<path>: <problem>".
/// Checks the header length against the file size, the JSON, each dtype,
/// shape and data range (inside the data, sized shape x dtype, no overlap).
bool read(const std::string &path, File &out, std::string &error);

/// Parses a whole file's bytes (as `read`, for data already in memory);
/// `what` names the source in error messages.
bool parse(const std::vector<std::uint8_t> &bytes, const std::string &what, File &out, std::string &error);

/// Writes `file` to `path` atomically (temporary file in the same directory,
/// fsync, rename); on failure returns false with `error` set.
bool write(const std::string &path, const File &file, std::string &error);

} // namespace cpq::safetensors
