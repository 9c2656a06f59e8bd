//===- peer.h - running a peer benchmark script --------------------*- C++ -*-===//
//
// The benchmarks' peers (bench/peers/*.py under /usr/bin/python3) print one
// JSON object on one line; this runs one and reads one number of it.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace cpq::bench {

/// The first line `command` prints, or "" when the command fails or prints
/// nothing (a peer that cannot run, e.g. without PyTorch, is shown as
/// missing, not as an error).
inline std::string peer_line(const std::string &command) {
  FILE *pipe = popen((command + " 2>/dev/null").c_str(), "r");
  if (!pipe) return "";
  char line[4096] = {};
  const bool got = std::fgets(line, sizeof line, pipe) != nullptr;
  const int status = pclose(pipe);
  return got && status == 0 ? std::string(line) : std::string();
}

/// The number after `"key": ` in a peer's line, or -1.
inline double json_number(const std::string &line, const std::string &key) {
  const std::string pattern = "\"" + key + "\": ";
  const std::size_t at = line.find(pattern);
  return at == std::string::npos ? -1 : std::atof(line.c_str() + at + pattern.size());
}

/// The string after `"key": "` in a peer's line (no escapes), or "".
inline std::string json_string(const std::string &line, const std::string &key) {
  const std::string pattern = "\"" + key + "\": \"";
  const std::size_t at = line.find(pattern);
  if (at == std::string::npos) return "";
  const std::size_t end = line.find('"', at + pattern.size());
  return end == std::string::npos ? "" : line.substr(at + pattern.size(), end - at - pattern.size());
}

/// The number after `"key": ` in the first line `command` prints, or -1.
inline double peer_number(const std::string &command, const std::string &key) {
  const std::string line = peer_line(command);
  return line.empty() ? -1 : json_number(line, key);
}

} // namespace cpq::bench
