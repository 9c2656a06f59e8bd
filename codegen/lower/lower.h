//===- lower.h - a cpq function as one Halide pipeline ------------*- C++ -*-===//
//
// This file declares the lowering of a function of the cpq dialect (a
// network, train_step, eval_step, inference) to Halide: one Func per op from
// the op builders of codegen/ops, the function's arguments as named input
// buffers and scalars, its results as the pipeline's outputs, in order. The
// record of which Funcs each op made (its family) is what schedules/ reads.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "cpq/runtime/manifest.h"
#include "cpq/runtime/model.h"
#include "schedules/schedule.h"

#include <Halide.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mlir {
class FuncOp;
}

namespace cpq::codegen {

struct LoweringOptions {
  /// Edges visited on each side of x by the quantizer's backward. 0 (the
  /// default): per call, what the channels' sigma / alpha need (at most the
  /// grid's points - 1), so no ratio is too large and a 2-bit grid visits at
  /// most 3. A fixed window suffices for sigma / alpha up to about
  /// (window - 1) / 20 cells; a call whose scales need more stops with a
  /// run-time error.
  int edge_window = 0;
  /// The batch size the autoschedulers assume (estimates only).
  int batch_estimate = 64;
  /// Read input buffers through a clamp to their extents. The
  /// autoschedulers' tilings shift partial vectors inwards and then read
  /// before the start of inputs smaller than a vector (a batch of 2, a
  /// 4-channel scale); hand schedules guard their tails and need no clamp.
  bool clamp_inputs = false;
  /// Quantizer edge loops of constant extent on grids of up to 16 points
  /// (every edge), for the autoschedulers, which unroll them; else grids of
  /// more than 4 points stop at what the call's sigma / alpha need.
  bool constant_edge_loops = false;
  /// A packed model's kernel: bound parameters become inputs instead of
  /// constants compiled in (cpq.pack of bound values an input of packed
  /// bytes; a parameter only cpq.pack reads is dropped), and their values go
  /// to LoweredFunction::model, to be written as the model file.
  bool parameters_as_inputs = false;
  /// Integer products of packed layers whose weights are compiled in:
  /// "qgemm" (the hand-written extern stage cpq_qgemm_u8 on the panel
  /// layout, for uint8 activations) or "halide" (int32 contractions on
  /// unpacked levels, the plain form; also what other layers get).
  std::string packed_products = "qgemm";
  /// Run-time checks that sit in element loops (a quantizer's edge window)
  /// in small Funcs of their own, for GPU targets, whose schedules compute
  /// them on the host (GPU kernels raise no errors). Off for the CPU:
  /// Halide 14's Mullapudi2016 fails on the separate Func.
  bool checks_apart = false;
};

/// `o` as GPU targets need it: run-time checks in Funcs of their own
/// (`checks_apart`) and the packed layers' integer products as Halide
/// contractions, which run on the device. The extern qgemm runs on the host,
/// and Halide 14 passes an extern stage its input as it is, its newest
/// values on the device unread (seen: LeNet-5's packed kernel for
/// host-opencl agreed with the CPU's on 8% of predictions).
inline LoweringOptions for_gpu(LoweringOptions o) {
  o.checks_apart = true;
  // The dense layers' operands staged in shared memory are copied for a
  // block's whole tile, past the last row of a partial tile (whose sums
  // the tile's guard then skips): reads of the inputs there are clamped.
  o.clamp_inputs = true;
  o.packed_products = "halide";
  return o;
}

/// One argument of the function: a tensor (an input buffer, dense: its
/// strides inside the dynamic batch are constraints) or a scalar.
/// `name` is the C identifier of `tensor`, the network's name (cpq.name).
struct LoweredInput {
  std::string name, tensor, role;
  Halide::Type type;
  std::vector<int64_t> shape; ///< MLIR order; -1 for the dynamic batch
  std::optional<Halide::ImageParam> buffer;
  std::optional<Halide::Param<>> scalar;
  /// A trainable parameter's first value (the function argument's cpq.init,
  /// and cpq.value for constants), for the manifest.
  std::optional<runtime::ParamInit> init;
  Halide::Argument argument() const;
};

/// A result of the function. One that updates an input (a parameter or
/// optimizer state after a training step: the same cpq.name) is named after
/// it with "_out", and `updates` is that input's name.
struct LoweredOutput {
  std::string name, tensor, role, updates;
  Halide::Func func;
  Halide::Type type;
  std::vector<int64_t> shape; ///< MLIR order; -1 for the dynamic batch
};

/// The Funcs one op made, for schedules (schedules/stages.h).
using LoweredStage = schedules::ScheduleStage;

struct LoweredFunction {
  std::string name;
  std::vector<LoweredInput> inputs;
  std::vector<LoweredOutput> outputs;
  std::vector<LoweredStage> stages;
  /// Extern C functions the pipeline calls (DropBits masks, gate noise), for
  /// JIT registration.
  std::vector<std::string> externs;
  /// With LoweringOptions::parameters_as_inputs, the bound values of the
  /// parameter inputs, in input order.
  std::vector<runtime::ModelFileTensor> model;
  /// The function's quantizers (cpq.quantize, cpq.quantize_train), in order.
  std::vector<runtime::QuantizerInfo> quantizers;

  /// What the kernel compiled from this function, named `c_name`, takes and
  /// gives: the contract its callers read (cpq/runtime/manifest.h).
  runtime::Manifest manifest(const std::string &c_name) const;

  std::vector<Halide::Argument> arguments() const;
  std::vector<Halide::Func> output_funcs() const;
  Halide::Pipeline pipeline() const;
};

/// Lowers `func`. Unsupported ops and shapes are reported as MLIR errors at
/// the op (and the result is std::nullopt), and so are two arguments or
/// results whose names become the same C identifier.
std::optional<LoweredFunction> lower_function(mlir::FuncOp func, const LoweringOptions &options = {});

} // namespace cpq::codegen
