//===- peer.h - running a peer benchmark script --------------------*- C++ -*-===//
//
// The benchmarks' peers (bench/peers/*.py under /usr/bin/python3) print one
// JSON object on one line; this runs one and reads it (nlohmann-json).
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <nlohmann/json.hpp>

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

/// A peer's line as JSON: an empty object when it is not JSON.
inline nlohmann::json peer_json(const std::string &line) {
  nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  return j.is_object() ? j : nlohmann::json::object();
}

/// The number `key` of a peer's line, or -1.
inline double json_number(const std::string &line, const std::string &key) {
  const nlohmann::json j = peer_json(line);
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : -1;
}

/// The string `key` of a peer's line, or "".
inline std::string json_string(const std::string &line, const std::string &key) {
  const nlohmann::json j = peer_json(line);
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

/// The number `key` in the first line `command` prints, or -1.
inline double peer_number(const std::string &command, const std::string &key) {
  const std::string line = peer_line(command);
  return line.empty() ? -1 : json_number(line, key);
}

} // namespace cpq::bench
