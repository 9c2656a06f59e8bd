//===- quantize_kernels.h - the AOT quantizer kernels, by signature -*- C++ -*-===//
//
// This file declares the table of ahead-of-time compiled quantizer kernels
// built by codegen/CMakeLists.txt (one per grid kind, bit-width, kind of
// DropBits mask, pass and schedule, and the gated kernels of section 5) and how
// to find one. The table itself is generated at build time
// (quantize_kernels.cpp.in).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "cpq/kernels/dropbits.h"
#include "cpq/kernels/grid.h"

#include <HalideRuntime.h>

#include <string_view>
#include <vector>

namespace cpq::aot {

/// x_hat = forward(x[inner, channel, outer], alpha[channel], keep).
using QuantizeForwardFn = int (*)(halide_buffer_t *x, halide_buffer_t *alpha, int32_t keep,
                                  halide_buffer_t *x_hat);
/// (grad_x, grad_alpha, grad_sigma) = backward(x, alpha, sigma, grad_out, keep, edge_window).
using QuantizeBackwardFn = int (*)(halide_buffer_t *x, halide_buffer_t *alpha, halide_buffer_t *sigma,
                                   halide_buffer_t *grad_out, int32_t keep, int32_t edge_window,
                                   halide_buffer_t *grad_x, halide_buffer_t *grad_alpha,
                                   halide_buffer_t *grad_sigma);

/// x_hat = gated_forward(x, alpha, z[bits - 1]).
using GatedForwardFn = int (*)(halide_buffer_t *x, halide_buffer_t *alpha, halide_buffer_t *z,
                               halide_buffer_t *x_hat);
/// (grad_x, grad_alpha, grad_sigma, grad_log_a) =
///   gated_backward(x, alpha, sigma, grad_out, z, dz_dlog_a, edge_window).
using GatedBackwardFn = int (*)(halide_buffer_t *x, halide_buffer_t *alpha, halide_buffer_t *sigma,
                                halide_buffer_t *grad_out, halide_buffer_t *z, halide_buffer_t *dz_dlog_a,
                                int32_t edge_window, halide_buffer_t *grad_x, halide_buffer_t *grad_alpha,
                                halide_buffer_t *grad_sigma, halide_buffer_t *grad_log_a);

template <class Fn> struct QuantizeKernel {
  GridKind grid;
  int bits;
  DropBitsMode masks;   ///< the masks it takes: hierarchical only, or any
  const char *schedule; ///< "hand", "Adams2019" or "Mullapudi2016"
  const char *name;     ///< the library and function name, e.g. cpq_quantize_forward_signed_b2
  Fn fn;
};

template <class Fn> struct GatedKernel {
  GridKind grid;
  int bits;
  const char *name; ///< e.g. cpq_quantize_gated_forward_signed_b4
  Fn fn;
};

const std::vector<QuantizeKernel<QuantizeForwardFn>> &quantize_forward_kernels();
const std::vector<QuantizeKernel<QuantizeBackwardFn>> &quantize_backward_kernels();
const std::vector<GatedKernel<GatedForwardFn>> &gated_forward_kernels();
const std::vector<GatedKernel<GatedBackwardFn>> &gated_backward_kernels();

/// The kernel for (grid, schedule, masks), or nullptr when it was not built.
const QuantizeKernel<QuantizeForwardFn> *find_quantize_forward(GridSpec grid, std::string_view schedule = "hand",
                                                               DropBitsMode masks = DropBitsMode::Hierarchical);
const QuantizeKernel<QuantizeBackwardFn> *find_quantize_backward(GridSpec grid, std::string_view schedule = "hand",
                                                                 DropBitsMode masks = DropBitsMode::Hierarchical);
const GatedKernel<GatedForwardFn> *find_gated_forward(GridSpec grid);
const GatedKernel<GatedBackwardFn> *find_gated_backward(GridSpec grid);

} // namespace cpq::aot
