//===- quantize_generators.cpp - AOT generators of the quantize op ---------===//
//
// This file implements the Halide generators `cpq_quantize_forward`,
// `cpq_quantize_backward` (DropBits masks) and `cpq_quantize_gated_forward`,
// `cpq_quantize_gated_backward` (learned bit-width gates): the builders of
// codegen/ops/quantize.h specialised at compile time by the grid kind,
// bit-width and kind of mask (GeneratorParams `grid`, `bits`, `masks`), with
// the hand schedule of schedules/schedule.h (by target family), or, when the build asks for an
// autoscheduler, only the estimates it needs.
//
// Buffer contracts: x, grad_out and grad_x are [inner, channel, outer] float32
// with a dense innermost dimension; alpha and sigma have one float32 per
// channel; grad_alpha and grad_sigma one float64 per channel; the gate inputs
// z and dz_dlog_a and the output grad_log_a one float64 per level 2..bits.
//
//===----------------------------------------------------------------------===//
#include "codegen/ops/quantize.h"
#include "cpq/kernels/dropbits.h"
#include "schedules/schedule.h"

#include <Halide.h>

namespace {
using namespace Halide;
using cpq::GridKind;

using cpq::DropBitsMode;

const std::map<std::string, GridKind> kGridKinds{
    {"signed", GridKind::Signed}, {"unsigned", GridKind::Unsigned}, {"symmetric", GridKind::Symmetric}};
const std::map<std::string, DropBitsMode> kMaskKinds{{"hierarchical", DropBitsMode::Hierarchical},
                                                     {"independent", DropBitsMode::Independent}};

// Sizes the autoschedulers plan for: a 2^20-element tensor in 64 channels.
constexpr int kEstInner = 1 << 14, kEstChannels = 64, kEstOuter = 1;

void set_tensor_estimates(OutputImageParam p) {
  p.dim(0).set_estimate(0, kEstInner).set_stride(1);
  p.dim(1).set_estimate(0, kEstChannels);
  p.dim(2).set_estimate(0, kEstOuter);
}

/// Every tensor's innermost dimension is dense; when autoscheduling, the
/// tensors and per-channel buffers also get the estimates the planner needs.
void set_contract(bool autoschedule, std::initializer_list<OutputImageParam> tensors,
                  std::initializer_list<OutputImageParam> per_channel) {
  for (OutputImageParam p : tensors) {
    p.dim(0).set_stride(1);
    if (autoschedule) set_tensor_estimates(p);
  }
  if (autoschedule)
    for (OutputImageParam p : per_channel) p.dim(0).set_estimate(0, kEstChannels);
}

/// The loops the hand schedule of a forward pipeline touches.
cpq::schedules::QuantizeLoops forward_loops(const cpq::codegen::TensorVars &v, const cpq::codegen::QuantizeForward &f,
                                            Func x_hat, const Expr &inner_extent) {
  cpq::schedules::QuantizeLoops loops;
  loops.i = v.i, loops.c = v.c, loops.n = v.n;
  loops.inner_extent = inner_extent;
  loops.x_hat = x_hat;
  loops.tables = f.tables;
  return loops;
}

/// The loops the hand schedule of a backward pipeline touches.
cpq::schedules::QuantizeLoops backward_loops(const cpq::codegen::TensorVars &v, const cpq::codegen::QuantizeBackward &b,
                                             Func grad_x, Func grad_alpha, Func grad_sigma,
                                             const Expr &inner_extent) {
  cpq::schedules::QuantizeLoops loops;
  loops.i = v.i, loops.c = v.c, loops.n = v.n;
  loops.inner_extent = inner_extent;
  loops.tables = b.forward.tables;
  loops.element = b.element;
  loops.edge_sums = b.edge_sums;
  loops.element_helpers = b.element_helpers;
  loops.per_channel = b.per_channel;
  loops.grad_x = grad_x;
  loops.channel_sums = b.channel_sums;
  loops.grad_alpha = grad_alpha;
  loops.grad_sigma = grad_sigma;
  loops.over_elements = b.over_elements;
  loops.gate_sums = b.gate_sums;
  return loops;
}

class QuantizeForward : public Generator<QuantizeForward> {
public:
  GeneratorParam<GridKind> grid{"grid", GridKind::Signed, kGridKinds};
  GeneratorParam<int> bits{"bits", 2, 1, 8};
  GeneratorParam<DropBitsMode> masks{"masks", DropBitsMode::Hierarchical, kMaskKinds};

  Input<Buffer<float>> x{"x", 3};
  Input<Buffer<float>> alpha{"alpha", 1};
  Input<int32_t> keep{"keep"};
  Output<Buffer<float>> x_hat{"x_hat", 3};

  void generate() {
    const cpq::GridSpec g = cpq::make_grid(grid, bits);
    fwd_ = cpq::codegen::build_quantize_forward(g, v_, x, alpha, keep, masks);
    x_hat(v_.i, v_.c, v_.n) = fwd_.x_hat(v_.i, v_.c, v_.n);
  }

  void schedule() {
    set_contract(auto_schedule, {x, x_hat}, {alpha});
    if (auto_schedule) {
      keep.set_estimate(cpq::all_levels(bits));
      return;
    }
    cpq::schedules::schedule_quantize_forward(forward_loops(v_, fwd_, x_hat, x.dim(0).extent()), get_target());
  }

private:
  cpq::codegen::TensorVars v_;
  cpq::codegen::QuantizeForward fwd_;
};

class QuantizeBackward : public Generator<QuantizeBackward> {
public:
  GeneratorParam<GridKind> grid{"grid", GridKind::Signed, kGridKinds};
  GeneratorParam<int> bits{"bits", 2, 1, 8};
  GeneratorParam<DropBitsMode> masks{"masks", DropBitsMode::Hierarchical, kMaskKinds};

  Input<Buffer<float>> x{"x", 3};
  Input<Buffer<float>> alpha{"alpha", 1};
  Input<Buffer<float>> sigma{"sigma", 1};
  Input<Buffer<float>> grad_out{"grad_out", 3};
  Input<int32_t> keep{"keep"};
  Input<int32_t> edge_window{"edge_window", 1, 1, 256};
  Output<Buffer<float>> grad_x{"grad_x", 3};
  Output<Buffer<double>> grad_alpha{"grad_alpha", 1};
  Output<Buffer<double>> grad_sigma{"grad_sigma", 1};

  void generate() {
    const cpq::GridSpec g = cpq::make_grid(grid, bits);
    bwd_ = cpq::codegen::build_quantize_backward(g, v_, x, alpha, sigma, keep, masks, edge_window, grad_out,
                                                 x.dim(0).extent(), x.dim(2).extent());
    grad_x(v_.i, v_.c, v_.n) = bwd_.grad_x(v_.i, v_.c, v_.n);
    grad_alpha(v_.c) = bwd_.grad_alpha(v_.c);
    grad_sigma(v_.c) = bwd_.grad_sigma(v_.c);
  }

  void schedule() {
    set_contract(auto_schedule, {x, grad_out, grad_x}, {alpha, sigma, grad_alpha, grad_sigma});
    if (auto_schedule) {
      keep.set_estimate(cpq::all_levels(bits));
      edge_window.set_estimate(8);
      return;
    }
    cpq::schedules::schedule_quantize_backward(
        backward_loops(v_, bwd_, grad_x, grad_alpha, grad_sigma, x.dim(0).extent()), get_target());
  }

private:
  cpq::codegen::TensorVars v_;
  cpq::codegen::QuantizeBackward bwd_;
};

/// Gated residual quantizer (section 5): gates z_l of the step in, no mask.
class QuantizeGatedForward : public Generator<QuantizeGatedForward> {
public:
  GeneratorParam<GridKind> grid{"grid", GridKind::Signed, kGridKinds};
  GeneratorParam<int> bits{"bits", 2, 2, 8};

  Input<Buffer<float>> x{"x", 3};
  Input<Buffer<float>> alpha{"alpha", 1};
  Input<Buffer<double>> z{"z", 1};
  Output<Buffer<float>> x_hat{"x_hat", 3};

  void generate() {
    const cpq::GridSpec g = cpq::make_grid(grid, bits);
    fwd_ = cpq::codegen::build_gated_forward(g, v_, x, alpha, cpq::codegen::GateInputs{z, Func()});
    x_hat(v_.i, v_.c, v_.n) = fwd_.x_hat(v_.i, v_.c, v_.n);
  }

  void schedule() {
    set_contract(auto_schedule, {x, x_hat}, {alpha});
    if (auto_schedule) {
      z.dim(0).set_estimate(0, bits - 1);
      return;
    }
    cpq::schedules::schedule_quantize_forward(forward_loops(v_, fwd_, x_hat, x.dim(0).extent()), get_target());
  }

private:
  cpq::codegen::TensorVars v_;
  cpq::codegen::QuantizeForward fwd_;
};

class QuantizeGatedBackward : public Generator<QuantizeGatedBackward> {
public:
  GeneratorParam<GridKind> grid{"grid", GridKind::Signed, kGridKinds};
  GeneratorParam<int> bits{"bits", 2, 2, 8};

  Input<Buffer<float>> x{"x", 3};
  Input<Buffer<float>> alpha{"alpha", 1};
  Input<Buffer<float>> sigma{"sigma", 1};
  Input<Buffer<float>> grad_out{"grad_out", 3};
  Input<Buffer<double>> z{"z", 1};
  Input<Buffer<double>> dz_dlog_a{"dz_dlog_a", 1};
  Input<int32_t> edge_window{"edge_window", 1, 1, 256};
  Output<Buffer<float>> grad_x{"grad_x", 3};
  Output<Buffer<double>> grad_alpha{"grad_alpha", 1};
  Output<Buffer<double>> grad_sigma{"grad_sigma", 1};
  Output<Buffer<double>> grad_log_a{"grad_log_a", 1};

  void generate() {
    const cpq::GridSpec g = cpq::make_grid(grid, bits);
    bwd_ = cpq::codegen::build_gated_backward(g, v_, x, alpha, sigma, cpq::codegen::GateInputs{z, dz_dlog_a},
                                              edge_window, grad_out, x.dim(0).extent(), x.dim(2).extent(),
                                              alpha.dim(0).extent());
    grad_x(v_.i, v_.c, v_.n) = bwd_.grad_x(v_.i, v_.c, v_.n);
    grad_alpha(v_.c) = bwd_.grad_alpha(v_.c);
    grad_sigma(v_.c) = bwd_.grad_sigma(v_.c);
    Var k("k");
    grad_log_a(k) = bwd_.grad_log_a(k);
  }

  void schedule() {
    set_contract(auto_schedule, {x, grad_out, grad_x}, {alpha, sigma, grad_alpha, grad_sigma});
    if (auto_schedule) {
      for (OutputImageParam p : {OutputImageParam(z), OutputImageParam(dz_dlog_a), OutputImageParam(grad_log_a)})
        p.dim(0).set_estimate(0, bits - 1);
      edge_window.set_estimate(8);
      return;
    }
    cpq::schedules::schedule_quantize_backward(
        backward_loops(v_, bwd_, grad_x, grad_alpha, grad_sigma, x.dim(0).extent()), get_target());
  }

private:
  cpq::codegen::TensorVars v_;
  cpq::codegen::QuantizeBackward bwd_;
};

} // namespace

HALIDE_REGISTER_GENERATOR(QuantizeForward, cpq_quantize_forward)
HALIDE_REGISTER_GENERATOR(QuantizeBackward, cpq_quantize_backward)
HALIDE_REGISTER_GENERATOR(QuantizeGatedForward, cpq_quantize_gated_forward)
HALIDE_REGISTER_GENERATOR(QuantizeGatedBackward, cpq_quantize_gated_backward)
