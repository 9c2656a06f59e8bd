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

/// The number after `"key": ` in the first line `command` prints, or -1 when
/// the command fails, prints nothing or lacks the key (a peer that cannot run,
/// e.g. without PyTorch, is shown as missing, not as an error).
inline double peer_number(const std::string &command, const std::string &key) {
  FILE *pipe = popen((command + " 2>/dev/null").c_str(), "r");
  if (!pipe) return -1;
  char line[4096] = {};
  const bool got = std::fgets(line, sizeof line, pipe) != nullptr;
  const int status = pclose(pipe);
  if (!got || status != 0) return -1;
  const std::string pattern = "\"" + key + "\": ";
  const char *at = std::strstr(line, pattern.c_str());
  return at ? std::atof(at + pattern.size()) : -1;
}

} // namespace cpq::bench
