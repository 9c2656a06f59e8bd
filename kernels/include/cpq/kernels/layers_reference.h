//===- layers_reference.h - scalar reference of the cpq layers ---*- C++ -*-===//
//
// This file implements the plain, obviously-correct form of every float
// layer of the cpq dialect and its gradients (docs/dialect/CpqOps.md gives
// the formulas): the reference the code generator's Halide pipelines are
// tested against. Loops in double where a sum is long, written for
// clarity, not speed. Tensors are row-major NCHW (or NC).
//
//===----------------------------------------------------------------------===//
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <vector>

namespace cpq::reference {

/// A dense row-major float tensor.
struct Tensor {
  std::vector<std::int64_t> shape;
  std::vector<float> data;

  Tensor() = default;
  explicit Tensor(std::vector<std::int64_t> s, float fill = 0.0f) : shape(std::move(s)) {
    data.assign(static_cast<std::size_t>(elements()), fill);
  }
  std::int64_t elements() const {
    std::int64_t n = 1;
    for (std::int64_t d : shape) n *= d;
    return n;
  }
  std::int64_t dim(int k) const { return shape[static_cast<std::size_t>(k)]; }
  float &at4(std::int64_t n, std::int64_t c, std::int64_t h, std::int64_t w) {
    return data[static_cast<std::size_t>(((n * dim(1) + c) * dim(2) + h) * dim(3) + w)];
  }
  float at4(std::int64_t n, std::int64_t c, std::int64_t h, std::int64_t w) const {
    return data[static_cast<std::size_t>(((n * dim(1) + c) * dim(2) + h) * dim(3) + w)];
  }
  float &at2(std::int64_t n, std::int64_t i) { return data[static_cast<std::size_t>(n * dim(1) + i)]; }
  float at2(std::int64_t n, std::int64_t i) const { return data[static_cast<std::size_t>(n * dim(1) + i)]; }
};

struct Window {
  std::int64_t kh, kw, sh = 1, sw = 1, ph = 0, pw = 0;
  std::int64_t out(std::int64_t in, bool height) const {
    return height ? (in + 2 * ph - kh) / sh + 1 : (in + 2 * pw - kw) / sw + 1;
  }
};

//===----------------------------------------------------------------------===//
// Convolution
//===----------------------------------------------------------------------===//

inline Tensor conv2d(const Tensor &x, const Tensor &w, const Tensor *b, Window win, std::int64_t groups) {
  const std::int64_t N = x.dim(0), C = x.dim(1), H = x.dim(2), W = x.dim(3), O = w.dim(0), Cg = w.dim(1);
  if (Cg * groups != C || O % groups) throw std::invalid_argument("conv2d: channels do not match the filter");
  win.kh = w.dim(2), win.kw = w.dim(3);
  Tensor y({N, O, win.out(H, true), win.out(W, false)});
  const std::int64_t Og = O / groups;
  for (std::int64_t n = 0; n < N; ++n)
    for (std::int64_t o = 0; o < O; ++o)
      for (std::int64_t i = 0; i < y.dim(2); ++i)
        for (std::int64_t j = 0; j < y.dim(3); ++j) {
          double s = b ? b->data[static_cast<std::size_t>(o)] : 0.0;
          for (std::int64_t c = 0; c < Cg; ++c)
            for (std::int64_t u = 0; u < win.kh; ++u)
              for (std::int64_t v = 0; v < win.kw; ++v) {
                const std::int64_t h = i * win.sh + u - win.ph, ww = j * win.sw + v - win.pw;
                if (h < 0 || h >= H || ww < 0 || ww >= W) continue;
                s += double(x.at4(n, (o / Og) * Cg + c, h, ww)) * double(w.at4(o, c, u, v));
              }
          y.at4(n, o, i, j) = float(s);
        }
  return y;
}

/// dL/dx of conv2d: every (input, filter) product of the forward, reversed.
inline Tensor conv2d_grad_input(const Tensor &dy, const Tensor &x_shape_of, const Tensor &w, Window win,
                                std::int64_t groups) {
  const std::int64_t N = x_shape_of.dim(0), C = x_shape_of.dim(1), H = x_shape_of.dim(2), W = x_shape_of.dim(3);
  const std::int64_t O = w.dim(0), Cg = w.dim(1), Og = O / groups;
  win.kh = w.dim(2), win.kw = w.dim(3);
  std::vector<double> acc(static_cast<std::size_t>(N * C * H * W), 0.0);
  for (std::int64_t n = 0; n < N; ++n)
    for (std::int64_t o = 0; o < O; ++o)
      for (std::int64_t i = 0; i < dy.dim(2); ++i)
        for (std::int64_t j = 0; j < dy.dim(3); ++j)
          for (std::int64_t c = 0; c < Cg; ++c)
            for (std::int64_t u = 0; u < win.kh; ++u)
              for (std::int64_t v = 0; v < win.kw; ++v) {
                const std::int64_t h = i * win.sh + u - win.ph, ww = j * win.sw + v - win.pw;
                if (h < 0 || h >= H || ww < 0 || ww >= W) continue;
                const std::int64_t cc = (o / Og) * Cg + c;
                acc[static_cast<std::size_t>(((n * C + cc) * H + h) * W + ww)] +=
                    double(dy.at4(n, o, i, j)) * double(w.at4(o, c, u, v));
              }
  Tensor dx({N, C, H, W});
  for (std::size_t k = 0; k < acc.size(); ++k) dx.data[k] = float(acc[k]);
  return dx;
}

inline Tensor conv2d_grad_filter(const Tensor &dy, const Tensor &x, const Tensor &w_shape_of, Window win,
                                 std::int64_t groups) {
  const std::int64_t N = x.dim(0), H = x.dim(2), W = x.dim(3);
  const std::int64_t O = w_shape_of.dim(0), Cg = w_shape_of.dim(1), Og = O / groups;
  win.kh = w_shape_of.dim(2), win.kw = w_shape_of.dim(3);
  Tensor dw(w_shape_of.shape);
  for (std::int64_t o = 0; o < O; ++o)
    for (std::int64_t c = 0; c < Cg; ++c)
      for (std::int64_t u = 0; u < win.kh; ++u)
        for (std::int64_t v = 0; v < win.kw; ++v) {
          double s = 0.0;
          for (std::int64_t n = 0; n < N; ++n)
            for (std::int64_t i = 0; i < dy.dim(2); ++i)
              for (std::int64_t j = 0; j < dy.dim(3); ++j) {
                const std::int64_t h = i * win.sh + u - win.ph, ww = j * win.sw + v - win.pw;
                if (h < 0 || h >= H || ww < 0 || ww >= W) continue;
                s += double(dy.at4(n, o, i, j)) * double(x.at4(n, (o / Og) * Cg + c, h, ww));
              }
          dw.at4(o, c, u, v) = float(s);
        }
  return dw;
}

/// dL/db: dy summed over every axis but 1.
inline Tensor bias_grad(const Tensor &dy) {
  const std::int64_t N = dy.dim(0), C = dy.dim(1), inner = dy.elements() / (N * C);
  Tensor db({C});
  for (std::int64_t c = 0; c < C; ++c) {
    double s = 0.0;
    for (std::int64_t n = 0; n < N; ++n)
      for (std::int64_t k = 0; k < inner; ++k) s += dy.data[static_cast<std::size_t>((n * C + c) * inner + k)];
    db.data[static_cast<std::size_t>(c)] = float(s);
  }
  return db;
}

//===----------------------------------------------------------------------===//
// Dense
//===----------------------------------------------------------------------===//

inline Tensor dense(const Tensor &x, const Tensor &w, const Tensor *b) {
  const std::int64_t N = x.dim(0), I = x.dim(1), O = w.dim(0);
  Tensor y({N, O});
  for (std::int64_t n = 0; n < N; ++n)
    for (std::int64_t o = 0; o < O; ++o) {
      double s = b ? b->data[static_cast<std::size_t>(o)] : 0.0;
      for (std::int64_t i = 0; i < I; ++i) s += double(x.at2(n, i)) * double(w.at2(o, i));
      y.at2(n, o) = float(s);
    }
  return y;
}

inline Tensor dense_grad_input(const Tensor &dy, const Tensor &w) {
  const std::int64_t N = dy.dim(0), O = w.dim(0), I = w.dim(1);
  Tensor dx({N, I});
  for (std::int64_t n = 0; n < N; ++n)
    for (std::int64_t i = 0; i < I; ++i) {
      double s = 0.0;
      for (std::int64_t o = 0; o < O; ++o) s += double(dy.at2(n, o)) * double(w.at2(o, i));
      dx.at2(n, i) = float(s);
    }
  return dx;
}

inline Tensor dense_grad_weight(const Tensor &dy, const Tensor &x) {
  const std::int64_t N = x.dim(0), I = x.dim(1), O = dy.dim(1);
  Tensor dw({O, I});
  for (std::int64_t o = 0; o < O; ++o)
    for (std::int64_t i = 0; i < I; ++i) {
      double s = 0.0;
      for (std::int64_t n = 0; n < N; ++n) s += double(dy.at2(n, o)) * double(x.at2(n, i));
      dw.at2(o, i) = float(s);
    }
  return dw;
}

//===----------------------------------------------------------------------===//
// Element-wise, pooling, flatten
//===----------------------------------------------------------------------===//

inline Tensor relu(const Tensor &x) {
  Tensor y = x;
  for (float &v : y.data) v = v > 0.0f ? v : 0.0f;
  return y;
}

inline Tensor relu_grad(const Tensor &dy, const Tensor &x) {
  Tensor dx = dy;
  for (std::size_t k = 0; k < dx.data.size(); ++k) dx.data[k] = x.data[k] > 0.0f ? dy.data[k] : 0.0f;
  return dx;
}

inline Tensor add(const Tensor &a, const Tensor &b) {
  Tensor y = a;
  for (std::size_t k = 0; k < y.data.size(); ++k) y.data[k] += b.data[k];
  return y;
}

/// Index (u * KW + v) of the first maximum of a window in row-major order;
/// padded positions never win. -1 when the window holds no input element.
inline std::int64_t window_argmax(const Tensor &x, std::int64_t n, std::int64_t c, std::int64_t i, std::int64_t j,
                                  const Window &win) {
  std::int64_t best = -1;
  float best_value = 0.0f;
  for (std::int64_t u = 0; u < win.kh; ++u)
    for (std::int64_t v = 0; v < win.kw; ++v) {
      const std::int64_t h = i * win.sh + u - win.ph, w = j * win.sw + v - win.pw;
      if (h < 0 || h >= x.dim(2) || w < 0 || w >= x.dim(3)) continue;
      const float value = x.at4(n, c, h, w);
      if (best < 0 || value > best_value) best = u * win.kw + v, best_value = value;
    }
  return best;
}

inline Tensor maxpool2d(const Tensor &x, const Window &win) {
  Tensor y({x.dim(0), x.dim(1), win.out(x.dim(2), true), win.out(x.dim(3), false)});
  for (std::int64_t n = 0; n < y.dim(0); ++n)
    for (std::int64_t c = 0; c < y.dim(1); ++c)
      for (std::int64_t i = 0; i < y.dim(2); ++i)
        for (std::int64_t j = 0; j < y.dim(3); ++j) {
          const std::int64_t k = window_argmax(x, n, c, i, j, win);
          y.at4(n, c, i, j) = x.at4(n, c, i * win.sh + k / win.kw - win.ph, j * win.sw + k % win.kw - win.pw);
        }
  return y;
}

inline Tensor maxpool2d_grad(const Tensor &dy, const Tensor &x, const Window &win) {
  Tensor dx(x.shape);
  for (std::int64_t n = 0; n < dy.dim(0); ++n)
    for (std::int64_t c = 0; c < dy.dim(1); ++c)
      for (std::int64_t i = 0; i < dy.dim(2); ++i)
        for (std::int64_t j = 0; j < dy.dim(3); ++j) {
          const std::int64_t k = window_argmax(x, n, c, i, j, win);
          dx.at4(n, c, i * win.sh + k / win.kw - win.ph, j * win.sw + k % win.kw - win.pw) += dy.at4(n, c, i, j);
        }
  return dx;
}

inline Tensor avgpool2d(const Tensor &x, const Window &win) {
  Tensor y({x.dim(0), x.dim(1), win.out(x.dim(2), true), win.out(x.dim(3), false)});
  for (std::int64_t n = 0; n < y.dim(0); ++n)
    for (std::int64_t c = 0; c < y.dim(1); ++c)
      for (std::int64_t i = 0; i < y.dim(2); ++i)
        for (std::int64_t j = 0; j < y.dim(3); ++j) {
          double s = 0.0;
          for (std::int64_t u = 0; u < win.kh; ++u)
            for (std::int64_t v = 0; v < win.kw; ++v) {
              const std::int64_t h = i * win.sh + u - win.ph, w = j * win.sw + v - win.pw;
              if (h >= 0 && h < x.dim(2) && w >= 0 && w < x.dim(3)) s += x.at4(n, c, h, w);
            }
          y.at4(n, c, i, j) = float(s / double(win.kh * win.kw));
        }
  return y;
}

inline Tensor avgpool2d_grad(const Tensor &dy, const Tensor &x, const Window &win) {
  Tensor dx(x.shape);
  const float scale = 1.0f / float(win.kh * win.kw);
  for (std::int64_t n = 0; n < dy.dim(0); ++n)
    for (std::int64_t c = 0; c < dy.dim(1); ++c)
      for (std::int64_t i = 0; i < dy.dim(2); ++i)
        for (std::int64_t j = 0; j < dy.dim(3); ++j)
          for (std::int64_t u = 0; u < win.kh; ++u)
            for (std::int64_t v = 0; v < win.kw; ++v) {
              const std::int64_t h = i * win.sh + u - win.ph, w = j * win.sw + v - win.pw;
              if (h >= 0 && h < x.dim(2) && w >= 0 && w < x.dim(3)) dx.at4(n, c, h, w) += dy.at4(n, c, i, j) * scale;
            }
  return dx;
}

inline Tensor flatten(const Tensor &x) {
  Tensor y = x;
  y.shape = {x.dim(0), x.elements() / x.dim(0)};
  return y;
}

//===----------------------------------------------------------------------===//
// Batch normalisation (channel axis 1; NC or NCHW)
//===----------------------------------------------------------------------===//

struct BatchNormTrain {
  Tensor y, batch_mean, batch_inv_std, new_mean, new_variance;
};

inline BatchNormTrain batch_norm_train(const Tensor &x, const Tensor &gamma, const Tensor &beta, const Tensor &mean,
                                       const Tensor &var, double eps, double momentum) {
  const std::int64_t N = x.dim(0), C = x.dim(1), inner = x.elements() / (N * C), M = N * inner;
  BatchNormTrain r{Tensor(x.shape), Tensor({C}), Tensor({C}), Tensor({C}), Tensor({C})};
  for (std::int64_t c = 0; c < C; ++c) {
    double s = 0.0, ss = 0.0;
    for (std::int64_t n = 0; n < N; ++n)
      for (std::int64_t k = 0; k < inner; ++k) s += x.data[static_cast<std::size_t>((n * C + c) * inner + k)];
    const double mu = s / double(M);
    for (std::int64_t n = 0; n < N; ++n)
      for (std::int64_t k = 0; k < inner; ++k) {
        const double d = x.data[static_cast<std::size_t>((n * C + c) * inner + k)] - mu;
        ss += d * d;
      }
    const double variance = ss / double(M), inv = 1.0 / std::sqrt(variance + eps);
    const std::size_t cs = static_cast<std::size_t>(c);
    r.batch_mean.data[cs] = float(mu), r.batch_inv_std.data[cs] = float(inv);
    r.new_mean.data[cs] = float((1.0 - momentum) * mean.data[cs] + momentum * mu);
    const double unbiased = M > 1 ? variance * double(M) / double(M - 1) : variance;
    r.new_variance.data[cs] = float((1.0 - momentum) * var.data[cs] + momentum * unbiased);
    for (std::int64_t n = 0; n < N; ++n)
      for (std::int64_t k = 0; k < inner; ++k) {
        const std::size_t e = static_cast<std::size_t>((n * C + c) * inner + k);
        r.y.data[e] = float(gamma.data[cs] * (x.data[e] - mu) * inv + beta.data[cs]);
      }
  }
  return r;
}

inline Tensor batch_norm(const Tensor &x, const Tensor &gamma, const Tensor &beta, const Tensor &mean,
                         const Tensor &var, double eps) {
  const std::int64_t N = x.dim(0), C = x.dim(1), inner = x.elements() / (N * C);
  Tensor y(x.shape);
  for (std::int64_t n = 0; n < N; ++n)
    for (std::int64_t c = 0; c < C; ++c) {
      const std::size_t cs = static_cast<std::size_t>(c);
      const double inv = 1.0 / std::sqrt(double(var.data[cs]) + eps);
      for (std::int64_t k = 0; k < inner; ++k) {
        const std::size_t e = static_cast<std::size_t>((n * C + c) * inner + k);
        y.data[e] = float(gamma.data[cs] * (x.data[e] - mean.data[cs]) * inv + beta.data[cs]);
      }
    }
  return y;
}

struct BatchNormGrad {
  Tensor dx, dgamma, dbeta;
};

inline BatchNormGrad batch_norm_grad(const Tensor &dy, const Tensor &x, const Tensor &gamma, const Tensor &bmean,
                                     const Tensor &binv) {
  const std::int64_t N = x.dim(0), C = x.dim(1), inner = x.elements() / (N * C), M = N * inner;
  BatchNormGrad g{Tensor(x.shape), Tensor({C}), Tensor({C})};
  for (std::int64_t c = 0; c < C; ++c) {
    const std::size_t cs = static_cast<std::size_t>(c);
    double db = 0.0, dg = 0.0;
    for (std::int64_t n = 0; n < N; ++n)
      for (std::int64_t k = 0; k < inner; ++k) {
        const std::size_t e = static_cast<std::size_t>((n * C + c) * inner + k);
        const double xh = (double(x.data[e]) - bmean.data[cs]) * binv.data[cs];
        db += dy.data[e], dg += dy.data[e] * xh;
      }
    g.dbeta.data[cs] = float(db), g.dgamma.data[cs] = float(dg);
    for (std::int64_t n = 0; n < N; ++n)
      for (std::int64_t k = 0; k < inner; ++k) {
        const std::size_t e = static_cast<std::size_t>((n * C + c) * inner + k);
        const double xh = (double(x.data[e]) - bmean.data[cs]) * binv.data[cs];
        g.dx.data[e] = float(gamma.data[cs] * binv.data[cs] * (dy.data[e] - db / double(M) - xh * dg / double(M)));
      }
  }
  return g;
}

//===----------------------------------------------------------------------===//
// Loss
//===----------------------------------------------------------------------===//

struct CrossEntropy {
  float loss = 0.0f;
  std::int32_t correct = 0;
};

inline CrossEntropy softmax_cross_entropy(const Tensor &logits, const std::vector<std::int32_t> &labels) {
  const std::int64_t N = logits.dim(0), K = logits.dim(1);
  double total = 0.0;
  CrossEntropy r;
  for (std::int64_t n = 0; n < N; ++n) {
    std::int64_t best = 0;
    for (std::int64_t k = 1; k < K; ++k)
      if (logits.at2(n, k) > logits.at2(n, best)) best = k;
    double s = 0.0;
    for (std::int64_t k = 0; k < K; ++k) s += std::exp(double(logits.at2(n, k)) - logits.at2(n, best));
    total += std::log(s) + logits.at2(n, best) - logits.at2(n, labels[static_cast<std::size_t>(n)]);
    r.correct += best == labels[static_cast<std::size_t>(n)];
  }
  r.loss = float(total / double(N));
  return r;
}

inline Tensor softmax_cross_entropy_grad(const Tensor &logits, const std::vector<std::int32_t> &labels) {
  const std::int64_t N = logits.dim(0), K = logits.dim(1);
  Tensor g(logits.shape);
  for (std::int64_t n = 0; n < N; ++n) {
    double m = logits.at2(n, 0), s = 0.0;
    for (std::int64_t k = 1; k < K; ++k) m = std::max<double>(m, logits.at2(n, k));
    for (std::int64_t k = 0; k < K; ++k) s += std::exp(double(logits.at2(n, k)) - m);
    for (std::int64_t k = 0; k < K; ++k)
      g.at2(n, k) = float((std::exp(double(logits.at2(n, k)) - m) / s - (k == labels[static_cast<std::size_t>(n)])) /
                          double(N));
  }
  return g;
}

/// The diagonal of the mean cross-entropy's Hessian in the logits,
/// p (1 - p) / N with p = softmax(logits) per row (the start of the
/// second-order backward pass of --cpq-expand-hessian).
inline Tensor softmax_cross_entropy_hessian(const Tensor &logits) {
  const std::int64_t N = logits.dim(0), K = logits.dim(1);
  Tensor h(logits.shape);
  for (std::int64_t n = 0; n < N; ++n) {
    double m = logits.at2(n, 0), s = 0.0;
    for (std::int64_t k = 1; k < K; ++k) m = std::max<double>(m, logits.at2(n, k));
    for (std::int64_t k = 0; k < K; ++k) s += std::exp(double(logits.at2(n, k)) - m);
    for (std::int64_t k = 0; k < K; ++k) {
      const double p = std::exp(double(logits.at2(n, k)) - m) / s;
      h.at2(n, k) = float(p * (1.0 - p) / double(N));
    }
  }
  return h;
}

/// x * x element-wise.
inline Tensor square(const Tensor &x) {
  Tensor y = x;
  for (float &v : y.data) v = v * v;
  return y;
}

//===----------------------------------------------------------------------===//
// Optimizers (one step, element-wise)
//===----------------------------------------------------------------------===//

// A `lower_bound` (absent: -infinity) projects the new value onto
// [lower_bound, inf): the optimizer's step is clamped, not the gradient.
// `relative` steps in log(p): the gradient is g * p and the step multiplies
// p by exp(-step) (no weight decay).
inline void sgd_update(float &p, float g, float &m, float lr, double momentum, double weight_decay, bool nesterov,
                       double lower_bound = -HUGE_VAL, bool relative = false) {
  const float gd = relative ? g * p : g + float(weight_decay) * p;
  m = float(momentum) * m + gd;
  const float step = lr * (nesterov ? gd + float(momentum) * m : m);
  p = std::max(relative ? p * std::exp(-step) : p - step, float(lower_bound));
}

inline void adam_update(float &p, float g, float &m, float &v, float lr, std::int64_t step, double beta1, double beta2,
                        double eps, double weight_decay, double lower_bound = -HUGE_VAL, bool relative = false) {
  const double t = double(step + 1);
  if (relative) g *= p;
  m = float(beta1) * m + float(1.0 - beta1) * g;
  v = float(beta2) * v + float(1.0 - beta2) * g * g;
  const float mhat = m / float(1.0 - std::pow(beta1, t)), vhat = v / float(1.0 - std::pow(beta2, t));
  const float direction = mhat / (std::sqrt(vhat) + float(eps));
  p = std::max(relative ? p * std::exp(-lr * direction) : p - lr * direction - lr * float(weight_decay) * p,
               float(lower_bound));
}

} // namespace cpq::reference
