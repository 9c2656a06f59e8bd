//===- split.h - one kernel from several compiled pipelines ------*- C++ -*-===//
//
// Halide's lowering grows faster than the pipeline it lowers (a VGG-style
// W2A2 train_step of 627 realizations spent 500 of its 549 s there, a
// LeNet-5 step of a third of the ops 34-46 s). A large function is therefore
// compiled as several pipelines: its ops in consecutive runs, each run a
// function of its own ("parts"), and one entry point of the original name and
// arguments that allocates the tensors passed between runs and calls the
// parts in turn. The parts and the entry go into one Halide module, so the
// kernel is one library with one runtime, and its callers (the manifest, the
// argv / metadata entry points) see no difference.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "codegen/lower/lower.h"

#include <Halide.h>

#include <string>
#include <vector>

namespace mlir {
class FuncOp;
}

namespace cpq::codegen {

/// Name prefix of the tensors passed between parts ("cpq_cut3"); a function
/// whose arguments or results already use it cannot be split.
inline constexpr const char *kCutPrefix = "cpq_cut";

/// The parts of `func` (which must be one block of ops and a return), as
/// new functions `<func>_part<k>` beside it in its module: `parts` runs of
/// about equal numbers of ops, each cut moved (within a sixth of a run) to
/// where the tensors live across it are smallest. A part takes the
/// function's arguments it uses (their attributes kept, so their names) and
/// the tensors of earlier parts it reads (cpq.name "cpq_cut<N>"); it returns
/// the tensors later parts read, and the last part returns the function's
/// results. Throws std::invalid_argument when the function cannot be split.
std::vector<mlir::FuncOp> split_function(mlir::FuncOp func, int parts);

/// The ops of a function: how `parts = 0` ("auto") chooses a count.
int function_ops(mlir::FuncOp func);

/// Parts a function of `ops` ops is split into by default: one up to 80
/// ops (LeNet-5's 67-op step stays one pipeline), then one per 40.
int automatic_parts(int ops);

/// The kernel `fn_name` for `target`: each part's scheduled pipeline
/// compiled as `<fn_name>_part<k>`, and an entry point `fn_name` with the
/// arguments of `whole` that allocates the cut tensors (batch from its
/// inputs' dynamic extent) and calls the parts in order, returning the
/// first non-zero code one gives.
Halide::Module link_parts(const std::string &fn_name, const Halide::Target &target, const LoweredFunction &whole,
                          const std::vector<LoweredFunction> &parts, std::vector<Halide::Pipeline> &pipelines);

} // namespace cpq::codegen
