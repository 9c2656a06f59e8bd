//===- atomic_file.h - files written whole or not at all -----------*- C++ -*-===//
//
// Every file cpq writes for a user (checkpoints, parameters, logs, summaries,
// predictions) goes through here: the bytes go to a temporary name in the
// same directory (`PATH.tmp.PID`), are fsync'ed, the file is renamed into
// place and the directory is fsync'ed, so a reader sees the old file or the
// new one, never half of one, and a power cut after a successful write
// keeps the new one.
//
// A process killed while writing leaves its `PATH.tmp.PID` behind (nothing
// reads it); the next successful write of PATH removes the temporaries of
// writers that are no longer running.
//
// Crash tests (tests/train/kill_resume_test.sh) set CPQ_CRASH_AT_WRITE=N to
// have the process SIGKILL itself right after its N-th write_atomically has
// renamed its file into place, or with CPQ_CRASH_AT_WRITE=N:partial after
// it has written half of the N-th file's bytes to the temporary: every
// point between two files, deterministically.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace cpq::runtime {

/// Writes `pieces` (pointer, size), in order, to `path` atomically; on
/// failure (a full disk, a file-size limit, ...) returns false with `error`
/// naming the file and the reason, leaves the previous `path` as it was
/// and no temporary file behind.
bool write_atomically(const std::string &path, const std::vector<std::pair<const void *, std::size_t>> &pieces,
                      std::string &error);

/// Writes `text` to `path` atomically.
inline bool write_atomically(const std::string &path, const std::string &text, std::string &error) {
  return write_atomically(path, {{text.data(), text.size()}}, error);
}

} // namespace cpq::runtime
