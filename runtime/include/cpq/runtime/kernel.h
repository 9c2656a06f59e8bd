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
// Before anything is loaded, the manifest is parsed (a manifest of another
// format version is refused) and PREFIX.so must be a shared object of this
// machine (its ELF header is read: not ELF, not a shared object, or another
// architecture are refused by name). A caller that pins the kernel's
// SHA-256 (a model file's cpq.kernel_sha256) gets exactly the bytes it
// checked: the file is read once, hashed, and loaded from that copy in
// memory (memfd), so replacing the file between the check and the load
// changes nothing.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "cpq/runtime/manifest.h"

#include <HalideRuntime.h>

#include <chrono>
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

/// What a caller may require of a kernel before it is loaded.
struct KernelLoadOptions {
  /// When not empty: the SHA-256 (64 lowercase hex digits) PREFIX.so must
  /// have; its bytes are hashed and exactly those bytes are loaded.
  std::string sha256;
  /// When not empty: the C function the manifest must name (a model file's
  /// cpq.function), checked before loading.
  std::string function;
};

/// One stage's share of a timed kernel's calls: the wall time of a root
/// Func's production (its own loops and everything computed inside them).
struct FuncProfile {
  std::string name; ///< the Func, or "overhead": the calls' time outside every root Func
  double ms = 0;    ///< summed over the calls
};

/// The stage times of a kernel compiled to time them (its manifest says
/// "timed": cpq-train --profile, bench/train --profile) since it was loaded
/// or last reset.
struct KernelProfile {
  int runs = 0;
  double ms = 0; ///< inside the kernel, summed over the calls
  std::vector<FuncProfile> funcs;
};

/// What a timed kernel's trace handler accumulates.
struct StageTimes {
  using Clock = std::chrono::steady_clock;
  int runs = 0;
  double call_ns = 0;
  std::map<std::string, double> func_ns;
  /// Productions begun and not ended, by trace id: their Func's name. The
  /// time between two trace events is shared among them (Funcs computed in
  /// one fused loop, compute_with, share its time; others do not overlap).
  std::map<std::int32_t, std::string> open;
  Clock::time_point last_event{};
  std::int32_t next_id = 1;

  /// A production of `func` begins at `now`; returns its trace id.
  std::int32_t begin_production(const std::string &func, Clock::time_point now);
  /// The production `id` ends at `now` (an unknown id only closes the
  /// interval since the last event).
  void end_production(std::int32_t id, Clock::time_point now);

private:
  void share_since_last(Clock::time_point now);
};

/// Checks that `path` is an ELF shared object of this machine's
/// architecture, reading only its header; false with `error` =
/// "<path>: <problem>".
bool check_shared_object(const std::string &path, std::string &error);

/// Makes OpenCL on PoCL usable in a process that holds another LLVM: PoCL
/// compiles kernels with its own LLVM (15 on Debian bookworm), whose calls
/// bind to an LLVM loaded before it (libHalide's 14, in cpq-train and the
/// code generator's tests) and crash (seen in llvm::VerifierPass). Loading
/// PoCL first with RTLD_DEEPBIND keeps its symbols its own. Call before the
/// first OpenCL kernel runs; returns false when PoCL is not installed
/// (another OpenCL driver is then used as it is). Not under
/// AddressSanitizer, which refuses RTLD_DEEPBIND.
bool prepare_opencl_in_process();

class Kernel {
public:
  /// Opens PREFIX.so and PREFIX.json; null with `error` set on failure.
  static std::unique_ptr<Kernel> load(const std::string &prefix, std::string &error,
                                      const KernelLoadOptions &options = {});
  ~Kernel();
  Kernel(const Kernel &) = delete;
  Kernel &operator=(const Kernel &) = delete;

  const std::string &function() const { return manifest_.function; }
  const Manifest &manifest() const { return manifest_; }
  const std::vector<KernelArgument> &arguments() const { return manifest_.arguments; }
  /// The argument named `name`, or null.
  const KernelArgument *argument(const std::string &name) const;

  /// Runs the kernel. Every argument must be given exactly once: buffers
  /// (inputs and outputs) by name in `buffers`, scalars in `scalars`. The
  /// buffers are host buffers; a GPU kernel's (manifest `device`) are copied
  /// to the device, its outputs back to the host, and its device memory
  /// freed, within the call.
  bool call(const std::map<std::string, halide_buffer_t *> &buffers, const std::map<std::string, Scalar> &scalars,
            std::string &error) const;

  /// The stage times of this kernel's calls; false with `error` when it was
  /// not compiled to time them or has not run.
  bool profile(KernelProfile &out, std::string &error) const;
  /// Zeroes the stage times.
  void reset_profile() const;

private:
  Kernel() = default;
  std::string path_;
  Manifest manifest_;
  void *handle_ = nullptr;
  std::unique_ptr<StageTimes> timing_; ///< a timed kernel's stage times
  int (*argv_)(void **) = nullptr;
  const char *(*extern_error_)() = nullptr; ///< training_externs.h, when the kernel links them
  void (*extern_error_clear_)() = nullptr;
  /// A GPU kernel's halide_copy_to_host and halide_device_free (null for
  /// the CPU's).
  using DeviceFn = int (*)(void *, halide_buffer_t *);
  DeviceFn copy_to_host_ = nullptr, device_free_ = nullptr;
};


} // namespace cpq::runtime
