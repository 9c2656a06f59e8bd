//===- kernel.h - calling compiled cpq kernels by argument name ---*- C++ -*-===//
//
// This file declares the kernel loader: a shared object written by
// cpq-compile (PREFIX.so, with its manifest PREFIX.json) is opened, its
// `<function>_argv` and `<function>_metadata` entry points looked up, and
// the manifest checked against the metadata (the same arguments, in the
// same order, of the same kinds and types). A call names its buffers and
// scalars; every buffer's type and shape is checked against the manifest
// (the dynamic batch must be one extent shared by all batch axes) before
// the kernel runs, and Halide's own run-time errors come back as the
// message. Nothing throws: every failure is `false` and a message naming
// the file or the argument.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "cpq/runtime/manifest.h"

#include <HalideRuntime.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace cpq::runtime {

/// A scalar argument's value; converted to the argument's type.
struct Scalar {
  double real = 0;
  std::int64_t integer = 0;
  bool is_integer = false;
  static Scalar of(double v) { return {v, 0, false}; }
  static Scalar of_int(std::int64_t v) { return {0, v, true}; }
};

class Kernel {
public:
  /// Opens PREFIX.so and PREFIX.json; null with `error` set on failure.
  static std::unique_ptr<Kernel> load(const std::string &prefix, std::string &error);
  ~Kernel();
  Kernel(const Kernel &) = delete;
  Kernel &operator=(const Kernel &) = delete;

  const std::string &function() const { return manifest_.function; }
  const Manifest &manifest() const { return manifest_; }
  const std::vector<KernelArgument> &arguments() const { return manifest_.arguments; }
  /// The argument named `name`, or null.
  const KernelArgument *argument(const std::string &name) const;

  /// Runs the kernel. Every argument must be given exactly once: buffers
  /// (inputs and outputs) by name in `buffers`, scalars in `scalars`.
  bool call(const std::map<std::string, halide_buffer_t *> &buffers, const std::map<std::string, Scalar> &scalars,
            std::string &error) const;

private:
  Kernel() = default;
  std::string path_;
  Manifest manifest_;
  void *handle_ = nullptr;
  int (*argv_)(void **) = nullptr;
};


} // namespace cpq::runtime
