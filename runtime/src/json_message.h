//===- json_message.h - nlohmann-json errors as cpq messages ------*- C++ -*-===//
//
// The runtime reads JSON (safetensors headers, kernel manifests) with
// nlohmann-json and never lets its exceptions out: a parse error becomes
// "invalid <what> at byte N: <problem>", without the library's
// "[json.exception.parse_error.101]" tag. Internal to runtime/src.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace cpq::runtime {

inline std::string json_problem(const nlohmann::json::exception &e) {
  std::string m = e.what();
  if (!m.empty() && m[0] == '[') {
    const std::size_t close = m.find("] ");
    if (close != std::string::npos) m.erase(0, close + 2);
  }
  return m;
}

inline std::string json_parse_message(const nlohmann::json::parse_error &e, const std::string &what) {
  return "invalid " + what + " at byte " + std::to_string(e.byte) + ": " + json_problem(e);
}

} // namespace cpq::runtime
