//===- atomic_file.h - files written whole or not at all -----------*- C++ -*-===//
//
// Every file cpq writes for a user (checkpoints, parameters, logs, summaries,
// predictions) goes through here: the bytes go to a temporary name in the
// same directory, are fsync'ed, and the file is renamed into place, so a
// reader sees the old file or the new one, never half of one.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace cpq::runtime {

/// Writes `pieces` (pointer, size), in order, to `path` atomically; on
/// failure returns false with `error` naming the file, and leaves no
/// temporary file behind.
bool write_atomically(const std::string &path, const std::vector<std::pair<const void *, std::size_t>> &pieces,
                      std::string &error);

/// Writes `text` to `path` atomically.
inline bool write_atomically(const std::string &path, const std::string &text, std::string &error) {
  return write_atomically(path, {{text.data(), text.size()}}, error);
}

} // namespace cpq::runtime
