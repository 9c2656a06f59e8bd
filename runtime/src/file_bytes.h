//===- file_bytes.h - a whole file's bytes, for the runtime's readers -*- C++ -*-===//
//
// The readers of untrusted files (safetensors, IDX, pinned kernels) read
// the whole file first and parse the bytes, so the fuzz targets exercise
// exactly what a file read gives. One reader of files for them all.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace cpq::runtime {

/// Reads all of `path` into `bytes`; false with `error` =
/// "<path>: cannot open (<reason>)" or "<path>: read error (<reason>)".
inline bool read_file_bytes(const std::string &path, std::vector<std::uint8_t> &bytes, std::string &error) {
  std::unique_ptr<std::FILE, int (*)(std::FILE *)> f(std::fopen(path.c_str(), "rb"), std::fclose);
  if (!f) return error = path + ": cannot open (" + std::strerror(errno) + ")", false;
  bytes.clear();
  std::uint8_t buffer[1 << 16];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, f.get())) > 0) bytes.insert(bytes.end(), buffer, buffer + n);
  if (std::ferror(f.get())) return error = path + ": read error (" + std::strerror(errno) + ")", false;
  return true;
}

} // namespace cpq::runtime
