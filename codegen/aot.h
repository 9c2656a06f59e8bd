//===- aot.h - ahead-of-time compilation of cpq functions ---------*- C++ -*-===//
//
// This file declares what cpq-compile and the cpq_add_network() CMake
// function do: one function of a .mlir module (after an optional cpq-opt
// pipeline) lowered, scheduled per target and compiled by Halide into a
// static library and C header with run-time dispatch over the targets, a
// shared object, a JSON manifest of its arguments, and optionally Halide
// statement and assembly listings. Files are written under temporary names
// and renamed when all succeeded.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "codegen/lower/lower.h"

#include <string>
#include <vector>

namespace cpq::codegen {

struct AotOptions {
  std::string input;      ///< the .mlir file
  std::string function;   ///< the function to compile
  std::string pipeline;   ///< cpq-opt pass pipeline run first ("" for none)
  std::string output;     ///< output prefix: <output>.a, .h, .so, .json, ...
  std::string name;       ///< C function name (default: the output's file name)
  std::vector<std::string> targets = {"host"}; ///< Halide targets, most specific first
  /// hand, Adams2019, Li2018, Mullapudi2016, or a schedule file (schedules/space.h)
  std::string schedule = "hand";
  /// A schedule file may name stages this function lacks (a train_step's
  /// schedule applied to its eval_step); else that is an error.
  bool partial_schedule = false;
  bool shared = true;     ///< also link <output>.so
  bool stmt = false;      ///< also write <output>.stmt (first target)
  bool assembly = false;  ///< also write <output>.s (first target)
  /// Halide's sampling profiler compiled in: the kernel prints the time of
  /// each Func when the process exits (cpq-tune's profile of a function).
  bool profile = false;
  /// Every Func computed at root traced (Halide's trace_realizations), so
  /// that the loaded kernel times each one's production exactly
  /// (runtime::Kernel::profile); the manifest says "timed".
  bool time_root_funcs = false;
  /// A packed model file to write (safetensors; "" for none): the kernel then
  /// takes every bound parameter as an input (packed weights as bytes) and
  /// the file holds their values, its metadata naming the kernel.
  std::string model;
  /// With `model`: record the kernel's SHA-256 in the model file
  /// (cpq.kernel_sha256), which loaders then check before loading it.
  bool pin_kernel = false;
  /// Pipelines the function is compiled as (codegen/split.h): 1 one
  /// pipeline, N its ops in N consecutive parts called by one entry point,
  /// 0 automatic (automatic_parts: LeNet-5's step one, VGG-style's four).
  /// Only the hand schedule splits (schedule files and autoschedulers name
  /// the stages of one pipeline), and neither a packed model's kernel nor
  /// one with time_root_funcs (parts repeat Func names).
  int split = 0;
  LoweringOptions lowering;
  /// When set, compile_aot only lowers the function and records its
  /// schedule space for the first target here (cpq-tune); nothing is
  /// compiled or written.
  schedules::Space *space = nullptr;
};

/// Compiles; on failure returns false with `error` set (MLIR diagnostics are
/// also printed to stderr as they arise).
bool compile_aot(const AotOptions &options, std::string &error);

} // namespace cpq::codegen
