//===- quantize_kernels.h - the AOT quantizer kernels, by signature -*- C++ -*-===//
//
// This file declares the table of ahead-of-time compiled quantizer kernels
// built by codegen/CMakeLists.txt (one per grid kind, bit-width, pass and
// schedule) and how to find one. The table itself is generated at build time
// (quantize_kernels.cpp.in).
//
//===----------------------------------------------------------------------===//
#pragma once

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

template <class Fn> struct QuantizeKernel {
  GridKind grid;
  int bits;
  const char *schedule; ///< "hand", "Adams2019" or "Mullapudi2016"
  const char *name;     ///< the library and function name, e.g. cpq_quantize_forward_signed_b2
  Fn fn;
};

const std::vector<QuantizeKernel<QuantizeForwardFn>> &quantize_forward_kernels();
const std::vector<QuantizeKernel<QuantizeBackwardFn>> &quantize_backward_kernels();

/// The kernel for (grid, schedule), or nullptr when it was not built.
const QuantizeKernel<QuantizeForwardFn> *find_quantize_forward(GridSpec grid, std::string_view schedule = "hand");
const QuantizeKernel<QuantizeBackwardFn> *find_quantize_backward(GridSpec grid, std::string_view schedule = "hand");

} // namespace cpq::aot
