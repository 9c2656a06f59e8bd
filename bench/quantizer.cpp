//===- quantizer.cpp - quantizer kernels against the memory roofline and PyTorch -===//
//
// For bits 1, 2, 4, 8, each grid kind and each schedule (hand, Adams2019,
// Mullapudi2016), times one training step of the AOT quantizer kernels,
// forward + backward, on a 2^20-element tensor of 64 channels with 2 Halide
// threads, and prints elements per second (median of repeats) against:
//   - the roofline: the bytes the two passes must move (forward reads x and
//     writes x_hat; backward reads x and dL/dx_hat and writes dL/dx: 20 bytes
//     an element) at the bandwidth of a 2-thread memory copy measured in the
//     same run;
//   - a plain PyTorch 1.13 implementation of the same quantizer
//     (bench/peers/quantizer_torch.py under /usr/bin/python3, same thread
//     count), printed as a ratio. At 8 bits the peer materialises 256
//     probabilities an element, so it runs on 2^16 elements; the ratio is of
//     rates.
// Then, for the hand schedule, the other kernels of a training step at the
// same sizes (JSON `variants`): the independent-mask kernels with a mask drawn
// at p = 0.5, and the gated kernels (section 5) with gates drawn from log_a = 0,
// where most gates are fractional and every sub-grid is visited. Last, the
// time of one forward + backward call of the 2-bit signed kernels on the
// shapes of LeNet-5's quantized tensors (weights per output channel, an
// activation per tensor; JSON `shapes`).
//
// The kernels run on the runtime's caching allocator (runtime/allocator.h),
// as in training; --system-malloc uses Halide's default (glibc malloc, whose
// fresh mmap per call costs the backward a page fault per 4 KiB of its
// temporary).
//
// Usage: bench/quantizer [--json] [--repeats N] [--no-peer] [--sigma-ratio R] [--system-malloc]
//
//===----------------------------------------------------------------------===//
#include "codegen/quantize_kernels.h"
#include "peer.h"
#include "cpq/runtime/allocator.h"
#include "cpq/kernels/gates.h"
#include "cpq/kernels/quantizer_reference.h"

#include <nlohmann/json.hpp>

#include <HalideBuffer.h>
#include <HalideRuntime.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

using namespace cpq;
using Halide::Runtime::Buffer;

namespace {
constexpr int kInner = 1 << 14, kChannels = 64, kThreads = 2;
constexpr double kBytesPerElement = 20.0;

template <class F> double median_seconds(int repeats, F &&f) {
  std::vector<double> t;
  for (int r = 0; r < repeats; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

/// GB/s (bytes read + written) of a memory copy of 256 MiB by kThreads threads.
double copy_bandwidth(int repeats) {
  const std::size_t bytes = std::size_t(256) << 20;
  std::vector<char> src(bytes, 1), dst(bytes, 0);
  const double t = median_seconds(repeats, [&] {
    std::vector<std::thread> pool;
    for (int k = 0; k < kThreads; ++k)
      pool.emplace_back([&, k] {
        const std::size_t part = bytes / kThreads;
        std::memcpy(dst.data() + k * part, src.data() + k * part, part);
      });
    for (auto &th : pool) th.join();
  });
  return 2.0 * bytes / t / 1e9;
}

/// Million elements per second of the PyTorch peer, or a negative value.
double torch_peer(int bits, GridKind grid, double sigma_ratio) {
  const int elements = bits >= 8 ? 1 << 16 : 1 << 20;
  const std::string cmd = std::string("/usr/bin/python3 " CPQ_SOURCE_DIR "/bench/peers/quantizer_torch.py") +
                          " --bits " + std::to_string(bits) + " --grid " + to_string(grid) + " --elements " +
                          std::to_string(elements) + " --threads " + std::to_string(kThreads) +
                          " --repeats 3 --sigma-ratio " + std::to_string(sigma_ratio);
  return cpq::bench::peer_number(cmd, "melem_s");
}

struct Row {
  int bits;
  GridKind grid;
  std::string schedule;
  double melem_s, fraction, x_torch, forward_melem_s, backward_melem_s;
};

/// A tensor of one grid: x over the grid and a step beyond, per-channel alpha
/// and sigma = sigma_ratio * alpha, random dL/dx_hat.
struct Tensor {
  Buffer<float> x, grad, x_hat, grad_x, alpha, sigma;
  Buffer<double> grad_alpha, grad_sigma;
  int window = 1;
  Tensor(GridSpec g, double sigma_ratio, int inner = kInner, int channels = kChannels)
      : x(inner, channels, 1), grad(inner, channels, 1), x_hat(inner, channels, 1), grad_x(inner, channels, 1),
        alpha(channels), sigma(channels), grad_alpha(channels), grad_sigma(channels) {
    std::mt19937 rng(g.bits);
    const float t_lo = g.t_of_level(g.q_min()) - 1.0f, t_hi = g.t_of_level(g.q_max()) + 1.0f;
    std::uniform_real_distribution<float> t_dist(t_lo, t_hi), g_dist(-1.0f, 1.0f);
    for (int c = 0; c < channels; ++c)
      alpha(c) = 2.0f / (1 << (g.bits - 1)) * (1.0f + 0.01f * c), sigma(c) = float(sigma_ratio) * alpha(c);
    x.for_each_element([&](int i, int c, int n) {
      x(i, c, n) = alpha(c) * t_dist(rng);
      grad(i, c, n) = g_dist(rng);
    });
    window = reference::required_edge_window(g, sigma_ratio);
  }
};

struct Variant {
  int bits;
  GridKind grid;
  const char *variant;
  double melem_s, fraction;
};

/// The tensors one LeNet-5 training step quantizes, one call each: small
/// ones are where a fixed chunk size would waste work.
struct Shape {
  const char *name;
  int inner, channels;
  double us, melem_s;
};
} // namespace

int main(int argc, char **argv) {
  bool json = false, peer = true, system_malloc = false;
  int repeats = 7;
  double sigma_ratio = 0.25;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--json")) json = true;
    else if (!std::strcmp(argv[i], "--no-peer")) peer = false;
    else if (!std::strcmp(argv[i], "--system-malloc")) system_malloc = true;
    else if (!std::strcmp(argv[i], "--repeats") && i + 1 < argc) repeats = std::max(1, std::atoi(argv[++i]));
    else if (!std::strcmp(argv[i], "--sigma-ratio") && i + 1 < argc) sigma_ratio = std::atof(argv[++i]);
    else {
      std::fprintf(stderr, "usage: %s [--json] [--repeats N] [--no-peer] [--sigma-ratio R] [--system-malloc]\n",
                   argv[0]);
      return 2;
    }
  }
  if (!(sigma_ratio > 0 && sigma_ratio <= 4)) {
    std::fprintf(stderr, "quantizer: --sigma-ratio must be in (0, 4]\n");
    return 2;
  }
  halide_set_num_threads(kThreads);
  if (!system_malloc) runtime::install_caching_allocator();
  // The limit gets at least 9 repeats: single copies here vary by 1.5x.
  const double roofline_gb_s = copy_bandwidth(std::max(repeats, 9));
  const double roofline_melem_s = roofline_gb_s * 1e9 / kBytesPerElement / 1e6;
  if (!json)
    std::fprintf(stderr, "memory copy, %d threads: %.2f GB/s -> roofline %.1f M elements/s at %.0f bytes/element\n",
                 kThreads, roofline_gb_s, roofline_melem_s, kBytesPerElement);

  std::vector<Row> rows;
  for (int bits : {1, 2, 4, 8}) {
    for (GridKind kind : {GridKind::Signed, GridKind::Unsigned, GridKind::Symmetric}) {
      const GridSpec g = make_grid(kind, bits);
      Tensor T(g, sigma_ratio);
      Buffer<float> &x = T.x, &grad = T.grad, &x_hat = T.x_hat, &grad_x = T.grad_x, &alpha = T.alpha,
                    &sigma = T.sigma;
      Buffer<double> &grad_alpha = T.grad_alpha, &grad_sigma = T.grad_sigma;
      const int window = T.window;
      const int keep = all_levels(bits);
      const double peer_melem_s = peer ? torch_peer(bits, kind, sigma_ratio) : -1;
      for (const char *schedule : {"hand", "Adams2019", "Mullapudi2016"}) {
        const auto *fwd = aot::find_quantize_forward(g, schedule);
        const auto *bwd = aot::find_quantize_backward(g, schedule);
        if (!fwd || !bwd) continue;
        int err = 0;
        const double t = median_seconds(repeats, [&] {
          err |= fwd->fn(x, alpha, keep, x_hat);
          err |= bwd->fn(x, alpha, sigma, grad, keep, window, grad_x, grad_alpha, grad_sigma);
        });
        if (err) {
          std::fprintf(stderr, "quantizer: %s failed with Halide error %d\n", fwd->name, err);
          return 1;
        }
        const double t_fwd = median_seconds(repeats, [&] { err |= fwd->fn(x, alpha, keep, x_hat); });
        const double t_bwd = median_seconds(repeats, [&] {
          err |= bwd->fn(x, alpha, sigma, grad, keep, window, grad_x, grad_alpha, grad_sigma);
        });
        const double n = double(kInner) * kChannels;
        const double melem_s = n / t / 1e6;
        rows.push_back({bits, kind, schedule, melem_s, melem_s / roofline_melem_s,
                        peer_melem_s > 0 ? melem_s / peer_melem_s : -1, n / t_fwd / 1e6, n / t_bwd / 1e6});
      }
    }
  }

  std::vector<Variant> variants;
  for (int bits : {2, 4, 8}) {
    for (GridKind kind : {GridKind::Signed, GridKind::Unsigned}) {
      const GridSpec g = make_grid(kind, bits);
      Tensor T(g, sigma_ratio);
      const double n = double(kInner) * kChannels;
      int err = 0;
      if (const auto *fwd = aot::find_quantize_forward(g, "hand", DropBitsMode::Independent)) {
        const auto *bwd = aot::find_quantize_backward(g, "hand", DropBitsMode::Independent);
        const LevelMask keep = draw_dropbits_mask(g, DropBitsConfig{0.5, DropBitsMode::Independent}, 1, 3, 0);
        const double t = median_seconds(repeats, [&] {
          err |= fwd->fn(T.x, T.alpha, keep, T.x_hat);
          err |= bwd->fn(T.x, T.alpha, T.sigma, T.grad, keep, T.window, T.grad_x, T.grad_alpha, T.grad_sigma);
        });
        variants.push_back({bits, kind, "independent", n / t / 1e6, n / t / 1e6 / roofline_melem_s});
      }
      if (const auto *fwd = aot::find_gated_forward(g)) {
        const auto *bwd = aot::find_gated_backward(g);
        std::vector<double> log_a(bits - 1, 0.0);
        const GateSet gates = draw_gates(bits, log_a.data(), 1, 3, 0);
        Buffer<double> z(bits - 1), slope(bits - 1), grad_log_a(bits - 1);
        for (int l = 2; l <= bits; ++l) z(l - 2) = gates.z(l), slope(l - 2) = gates.level[l - 2].dz_dlog_a;
        const double t = median_seconds(repeats, [&] {
          err |= fwd->fn(T.x, T.alpha, z, T.x_hat);
          err |= bwd->fn(T.x, T.alpha, T.sigma, T.grad, z, slope, T.window, T.grad_x, T.grad_alpha, T.grad_sigma,
                         grad_log_a);
        });
        variants.push_back({bits, kind, "gated", n / t / 1e6, n / t / 1e6 / roofline_melem_s});
      }
      if (err) {
        std::fprintf(stderr, "quantizer: a %s %d-bit variant failed with Halide error %d\n", to_string(kind), bits, err);
        return 1;
      }
    }
  }

  // Per-call time of the 2-bit signed hand kernels on a network's tensor shapes.
  // examples/networks/lenet5.mlir: conv1 32x1x5x5, conv2 64x32x5x5, fc1
  // 512x1024, fc2 10x512; conv1's output at batch 64 is 64x32x24x24.
  std::vector<Shape> shapes = {{"conv1 weight 25x32", 25, 32},       {"conv2 weight 800x64", 800, 64},
                               {"fc1 weight 1024x512", 1024, 512},   {"fc2 weight 512x10", 512, 10},
                               {"conv1 output 1179648x1", 1179648, 1}};
  {
    const GridSpec g = make_grid(GridKind::Signed, 2);
    const auto *fwd = aot::find_quantize_forward(g, "hand");
    const auto *bwd = aot::find_quantize_backward(g, "hand");
    for (Shape &sh : shapes) {
      Tensor T(g, sigma_ratio, sh.inner, sh.channels);
      int err = 0;
      const double t = median_seconds(std::max(repeats, 25), [&] {
        err |= fwd->fn(T.x, T.alpha, all_levels(2), T.x_hat);
        err |= bwd->fn(T.x, T.alpha, T.sigma, T.grad, all_levels(2), T.window, T.grad_x, T.grad_alpha, T.grad_sigma);
      });
      if (err) {
        std::fprintf(stderr, "quantizer: the %s call failed with Halide error %d\n", sh.name, err);
        return 1;
      }
      sh.us = t * 1e6;
      sh.melem_s = double(sh.inner) * sh.channels / t / 1e6;
    }
  }

  if (json) {
    nlohmann::ordered_json j = {{"roofline_gb_s", roofline_gb_s},
                                {"bytes_per_element", kBytesPerElement},
                                {"elements", kInner * kChannels},
                                {"threads", kThreads},
                                {"sigma_over_alpha", sigma_ratio},
                                {"allocator", system_malloc ? "system" : "caching"}};
    j["rows"] = nlohmann::ordered_json::array();
    for (const Row &r : rows) {
      std::string schedule = r.schedule;
      std::transform(schedule.begin(), schedule.end(), schedule.begin(), ::tolower);
      j["rows"].push_back({{"bits", r.bits},
                           {"grid", to_string(r.grid)},
                           {"schedule", schedule},
                           {"melem_s", r.melem_s},
                           {"fraction_of_roofline", r.fraction},
                           {"forward_melem_s", r.forward_melem_s},
                           {"backward_melem_s", r.backward_melem_s},
                           {"x_pytorch", r.x_torch > 0 ? nlohmann::ordered_json(r.x_torch) : nlohmann::ordered_json(nullptr)}});
    }
    j["variants"] = nlohmann::ordered_json::array();
    for (const Variant &v : variants)
      j["variants"].push_back({{"bits", v.bits},
                               {"grid", to_string(v.grid)},
                               {"schedule", "hand"},
                               {"variant", v.variant},
                               {"melem_s", v.melem_s},
                               {"fraction_of_roofline", v.fraction}});
    j["shapes"] = nlohmann::ordered_json::array();
    for (const Shape &sh : shapes)
      j["shapes"].push_back({{"tensor", sh.name},
                             {"inner", sh.inner},
                             {"channels", sh.channels},
                             {"us_per_call", sh.us},
                             {"melem_s", sh.melem_s}});
    std::printf("%s\n", j.dump(2).c_str());
    return 0;
  }
  std::printf("%4s %-9s %-13s %12s %10s %10s %10s %10s\n", "bits", "grid", "schedule", "M elem/s", "x roofline",
              "fwd M/s", "bwd M/s", "x pytorch");
  for (const Row &r : rows) {
    std::printf("%4d %-9s %-13s %12.1f %10.3f %10.1f %10.1f ", r.bits, to_string(r.grid), r.schedule.c_str(),
                r.melem_s, r.fraction, r.forward_melem_s, r.backward_melem_s);
    if (r.x_torch > 0) std::printf("%10.1f\n", r.x_torch);
    else std::printf("%10s\n", "-");
  }
  std::printf("\nhand schedule, other kernels of a training step (forward + backward):\n");
  std::printf("%4s %-9s %-13s %12s %10s\n", "bits", "grid", "variant", "M elem/s", "x roofline");
  for (const Variant &v : variants)
    std::printf("%4d %-9s %-13s %12.1f %10.3f\n", v.bits, to_string(v.grid), v.variant, v.melem_s, v.fraction);
  std::printf("\nhand schedule, 2-bit signed, one call (forward + backward) per tensor of a LeNet-5 step:\n");
  std::printf("%-22s %12s %12s\n", "tensor", "us/call", "M elem/s");
  for (const Shape &sh : shapes) std::printf("%-22s %12.1f %12.1f\n", sh.name, sh.us, sh.melem_s);
  return 0;
}
