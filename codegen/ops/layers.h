//===- layers.h - Halide builders of the cpq float layers ---------*- C++ -*-===//
//
// This file declares the Halide algorithm of every float layer of the cpq
// dialect, its gradients, the loss and the optimizer updates: one builder per
// op, taking and returning TensorValues, with the formulas of
// docs/dialect/CpqOps.md and of the scalar reference
// (cpq/kernels/layers_reference.h). Schedules live in schedules/layers.h;
// builders only define.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "codegen/ops/tensor.h"

#include <cstdint>
#include <optional>
#include <string>

namespace cpq::codegen {

/// A 2-D window: kernel, stride, zero padding (height first).
struct Window2d {
  int kh = 1, kw = 1, sh = 1, sw = 1, ph = 0, pw = 0;
};

/// The value of a static extent (the builders need filter sizes and channel
/// counts at compile time); throws std::invalid_argument when not static.
int64_t static_extent(const Halide::Expr &e, const std::string &what);

// Convolution (x NCHW, w OIHW with I = C / groups), dense (x NI, w OI).
TensorValue conv2d(const std::string &name, const TensorValue &x, const TensorValue &w, const TensorValue *bias,
                   Window2d win, int groups);
TensorValue conv2d_grad_input(const std::string &name, const TensorValue &dy, const TensorValue &x,
                              const TensorValue &w, Window2d win, int groups);
TensorValue conv2d_grad_filter(const std::string &name, const TensorValue &dy, const TensorValue &x,
                               const TensorValue &w, Window2d win, int groups);
TensorValue bias_grad(const std::string &name, const TensorValue &dy);
TensorValue dense(const std::string &name, const TensorValue &x, const TensorValue &w, const TensorValue *bias);
TensorValue dense_grad_input(const std::string &name, const TensorValue &dy, const TensorValue &w);
TensorValue dense_grad_weight(const std::string &name, const TensorValue &dy, const TensorValue &x);

// Element-wise, pooling (padding never wins a max; counts as zero in a mean).
TensorValue relu(const std::string &name, const TensorValue &x);
TensorValue relu_grad(const std::string &name, const TensorValue &dy, const TensorValue &x);
TensorValue add(const std::string &name, const TensorValue &a, const TensorValue &b);
TensorValue maxpool2d(const std::string &name, const TensorValue &x, Window2d win);
/// dy routed to each window's first maximum (row-major); the per-window
/// stage (the maximum's index, or argmax's Tuple under overlapping or padded
/// windows) is the result's helper, for schedules.
TensorValue maxpool2d_grad(const std::string &name, const TensorValue &dy, const TensorValue &x, Window2d win);
/// Max-pool windows that tile the input (stride = kernel, no padding): each
/// input lies in at most one window.
bool windows_tile(Window2d win);
/// Each window's first maximum of x (row-major), (column, row) offsets in
/// the window, over the output's (j, i, c, n).
Halide::Func window_argmax(const std::string &name, const TensorValue &x, Window2d win);
/// Each window's first maximum of x as one index, row * kw + column (one
/// byte for windows of up to 256 inputs): what the gradients of tiling
/// pools keep per window (a third of a byte per input under 2x2, where the
/// (column, row, value) Tuple took 12 bytes).
Halide::Func window_first_max(const std::string &name, const TensorValue &x, Window2d win);
/// x at each window's first maximum (`first_max`, windows that tile): a
/// tensor of the pool's output shape `window_shape`.
TensorValue pick_at_argmax(const std::string &name, const TensorValue &x, const Halide::Func &first_max,
                           const std::vector<Halide::Expr> &window_shape, Window2d win);
/// dy (one value a window) put at each window's first maximum
/// (`first_max`), zero elsewhere (windows that tile), over the pool's input
/// shape `input_shape`.
TensorValue scatter_to_argmax(const std::string &name, const TensorValue &dy, const Halide::Func &first_max,
                              const std::vector<Halide::Expr> &input_shape, Window2d win);
TensorValue avgpool2d(const std::string &name, const TensorValue &x, Window2d win);
TensorValue avgpool2d_grad(const std::string &name, const TensorValue &dy, const TensorValue &x, Window2d win);
TensorValue flatten(const std::string &name, const TensorValue &x);
TensorValue flatten_grad(const std::string &name, const TensorValue &dy, const TensorValue &x);

// Batch normalisation over axis 1 (NC or NCHW); statistics in float64.
TensorValue batch_norm(const std::string &name, const TensorValue &x, const TensorValue &gamma,
                       const TensorValue &beta, const TensorValue &mean, const TensorValue &var, double eps);
struct BatchNormTrain {
  TensorValue y, batch_mean, batch_inv_std, new_mean, new_variance;
};
BatchNormTrain batch_norm_train(const std::string &name, const TensorValue &x, const TensorValue &gamma,
                                const TensorValue &beta, const TensorValue &mean, const TensorValue &var, double eps,
                                double momentum);
struct BatchNormGrad {
  TensorValue dx, dgamma, dbeta;
};
BatchNormGrad batch_norm_grad(const std::string &name, const TensorValue &dy, const TensorValue &x,
                              const TensorValue &gamma, const TensorValue &batch_mean,
                              const TensorValue &batch_inv_std);

// Loss: mean softmax cross-entropy (0-d float) and correct count (0-d int32).
// A label outside 0..K-1 is a run-time error naming the row.
struct CrossEntropy {
  TensorValue loss, correct;
};
CrossEntropy softmax_cross_entropy(const std::string &name, const TensorValue &logits, const TensorValue &labels);
TensorValue softmax_cross_entropy_grad(const std::string &name, const TensorValue &logits,
                                       const TensorValue &labels);
/// p (1 - p) / N with p = softmax(logits) per row: the diagonal of the mean
/// cross-entropy's Hessian in the logits.
TensorValue softmax_cross_entropy_hessian(const std::string &name, const TensorValue &logits);
/// x * x element-wise.
TensorValue square(const std::string &name, const TensorValue &x);

// Optimizer updates of one parameter tensor; a lower bound projects the
// updated value onto [bound, inf); `relative` steps in log(param) (the
// gradient times param, a multiplicative update; for positive scales).
struct SgdUpdate {
  TensorValue param, momentum_buffer;
};
SgdUpdate sgd_update(const std::string &name, const TensorValue &p, const TensorValue &g, const TensorValue &m,
                     const Halide::Expr &lr, double momentum, double weight_decay, bool nesterov,
                     std::optional<double> lower_bound = std::nullopt, bool relative = false);
struct AdamUpdate {
  TensorValue param, first_moment, second_moment;
};
AdamUpdate adam_update(const std::string &name, const TensorValue &p, const TensorValue &g, const TensorValue &m,
                       const TensorValue &v, const Halide::Expr &lr, const Halide::Expr &step, double beta1,
                       double beta2, double epsilon, double weight_decay,
                       std::optional<double> lower_bound = std::nullopt, bool relative = false);

} // namespace cpq::codegen
