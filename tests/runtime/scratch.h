//===- scratch.h - a per-process scratch folder for runtime tests -*- C++ -*-===//
#pragma once

#include <filesystem>
#include <string>
#include <unistd.h>

namespace cpq::testing {

/// <tmp>/cpq_<test>_<pid>/<name>, the folder created.
inline std::filesystem::path scratch_path(const std::string &test, const std::string &name) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("cpq_" + test + "_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return dir / name;
}

} // namespace cpq::testing
