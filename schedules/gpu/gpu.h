//===- gpu.h - the GPU family of hand schedules --------------------*- C++ -*-===//
//
// Hand schedules for Halide's GPU targets (OpenCL, CUDA): every stage the
// x86 family computes at root is a GPU kernel here, its pure loops tiled
// into blocks of threads (`gpu_tile`) and each thread running the stage's
// reduction for its own output; the quantizer's per-element gradients are
// one thread an element with the edge loop in that thread, and its
// per-channel sums a GPU reduction in two steps (chunks of elements a
// thread each, then the chunks of a channel). A dense layer's sums (float,
// and packed integer products) stage their operands in shared memory a
// chunk of the reduction at a time. Extern stages stay on the host; Halide
// moves their buffers.
//
// Not done yet: shared-memory staging of the convolutions' operands, and
// inlining elementwise stages into their consumers (every stage is its own
// kernel).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "schedules/space.h"
#include "schedules/stages.h"

#include <Halide.h>

#include <vector>

namespace cpq::schedules::gpu {

/// Threads a block, along a stage's first loop and along the others fused.
struct Tiles {
  int x = 32, y = 4;
};
/// The current stage's tile knobs (threads_x, threads_y), asked once a stage.
Tiles ask_tiles(Choices &choices);
/// f computed at root, each of its stages a kernel: its loops tiled into
/// blocks of `tiles` threads, reductions serial in each thread; extern
/// Funcs, scalars, and Funcs that raise run-time errors or call C
/// functions, at root on the host.
void gpu_root(Halide::Func f, Choices &choices, Tiles tiles);

/// Computes at root, on the host, every Func the outputs read that raises
/// run-time errors (an op's checks of its inputs: a DropBits mask, the edge
/// window, labels) or calls a C function (mask and gate draws) and is not
/// scheduled: GPU kernels can do neither. Throws std::invalid_argument
/// naming such a Func put on the device.
void checks_on_host(const std::vector<Halide::Func> &outputs);

/// Schedules every stage for a GPU target, asking `choices` for each knob
/// (space.h, family "gpu").
void schedule_network(const std::vector<ScheduleStage> &stages, const std::vector<Halide::Func> &outputs,
                      const Halide::Target &target, Choices &choices);
/// The quantizer's pipelines (the standalone kernels and a network's
/// quantizer stages), their knobs asked of `choices` (the current stage).
void schedule_quantize_forward(const QuantizeLoops &q, const Halide::Target &target, Choices &choices);
void schedule_quantize_backward(const QuantizeLoops &q, const Halide::Target &target, Choices &choices);

} // namespace cpq::schedules::gpu
