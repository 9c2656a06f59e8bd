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

#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

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

/// The integer `v` holds, as T; `what` names the value in the message.
/// nlohmann's get<T>() converts a float with a static_cast (undefined
/// beyond T's range: 1e400, 4.6e20) and wraps an integer T cannot hold;
/// this throws json::type_error for a value that is not an integer and
/// json::out_of_range for one outside T, so the callers' catch of
/// json::exception turns both into a message.
template <class T, class J> T json_integer(const J &v, const std::string &what) {
  static_assert(std::is_integral_v<T>);
  if (!v.is_number_integer())
    throw nlohmann::json::type_error::create(302, what + " is not an integer: " + v.dump(), nullptr);
  bool fits;
  if (v.is_number_unsigned()) {
    const std::uint64_t u = v.template get<std::uint64_t>();
    fits = u <= static_cast<std::uint64_t>(std::numeric_limits<T>::max());
  } else {
    const std::int64_t i = v.template get<std::int64_t>();
    if constexpr (std::is_signed_v<T>)
      fits = i >= static_cast<std::int64_t>(std::numeric_limits<T>::min()) &&
             i <= static_cast<std::int64_t>(std::numeric_limits<T>::max());
    else
      fits = i >= 0 && static_cast<std::uint64_t>(i) <= static_cast<std::uint64_t>(std::numeric_limits<T>::max());
  }
  if (!fits) throw nlohmann::json::out_of_range::create(406, what + " is out of range: " + v.dump(), nullptr);
  return v.template get<T>();
}

/// A JSON list of integers as std::vector<T>, each checked as json_integer.
template <class T, class J> std::vector<T> json_integers(const J &v, const std::string &what) {
  if (!v.is_array()) throw nlohmann::json::type_error::create(302, what + " is not a list: " + v.dump(), nullptr);
  std::vector<T> out;
  out.reserve(v.size());
  for (const J &x : v) out.push_back(json_integer<T>(x, what + " entry"));
  return out;
}

} // namespace cpq::runtime
