//===- args.h - command-line helpers of the benchmark programs ---*- C++ -*-===//
#pragma once

#include <sstream>
#include <string>
#include <vector>

namespace cpq::bench {

/// "a,b,c" as its items ("FP32,W2A2", "64,256").
inline std::vector<std::string> split_list(const std::string &s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ',');) out.push_back(item);
  return out;
}

} // namespace cpq::bench
