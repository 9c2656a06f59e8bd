//===- jit.h - JIT-compiling lowered cpq functions ----------------*- C++ -*-===//
//
// This file declares the JIT path of the code generator (tests, quick runs):
// a lowered function scheduled by hand or by an autoscheduler, compiled for
// the host, with the training externs registered, and run on named buffers.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "codegen/lower/lower.h"
#include "codegen/target.h"

#include <Halide.h>

#include <string>

namespace cpq::codegen {

/// Schedules `f` ("hand", an autoscheduler name, or a schedule file) and returns its pipeline,
/// JIT-compiled for `target` (with_gpu_needs) with the externs it calls.
/// Realize it with the same target (Halide recompiles for another one) and
/// copy GPU outputs to the host (Buffer::copy_to_host).
Halide::Pipeline compile_jit(LoweredFunction &f, const std::string &schedule = "hand",
                             const Halide::Target &target = jit_target());

/// The pipeline's outputs as buffers of their shapes, the dynamic batch as
/// given.
Halide::Realization make_outputs(const LoweredFunction &f, int batch);

} // namespace cpq::codegen
