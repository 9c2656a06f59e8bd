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
//
// Usage: bench/quantizer [--json] [--repeats N] [--no-peer] [--sigma-ratio R]
//
//===----------------------------------------------------------------------===//
#include "codegen/quantize_kernels.h"
#include "cpq/kernels/quantizer_reference.h"

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
                          " --repeats 3 --sigma-ratio " + std::to_string(sigma_ratio) + " 2>/dev/null";
  FILE *pipe = popen(cmd.c_str(), "r");
  if (!pipe) return -1;
  char line[1024] = {};
  const bool got = std::fgets(line, sizeof line, pipe) != nullptr;
  const int status = pclose(pipe);
  if (!got || status != 0) return -1;
  const char *key = std::strstr(line, "\"melem_s\": ");
  return key ? std::atof(key + 11) : -1;
}

struct Row {
  int bits;
  GridKind grid;
  std::string schedule;
  double melem_s, fraction, x_torch, forward_melem_s, backward_melem_s;
};
} // namespace

int main(int argc, char **argv) {
  bool json = false, peer = true;
  int repeats = 7;
  double sigma_ratio = 0.25;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--json")) json = true;
    else if (!std::strcmp(argv[i], "--no-peer")) peer = false;
    else if (!std::strcmp(argv[i], "--repeats") && i + 1 < argc) repeats = std::max(1, std::atoi(argv[++i]));
    else if (!std::strcmp(argv[i], "--sigma-ratio") && i + 1 < argc) sigma_ratio = std::atof(argv[++i]);
    else {
      std::fprintf(stderr, "usage: %s [--json] [--repeats N] [--no-peer] [--sigma-ratio R]\n", argv[0]);
      return 2;
    }
  }
  if (!(sigma_ratio > 0 && sigma_ratio <= 4)) {
    std::fprintf(stderr, "quantizer: --sigma-ratio must be in (0, 4]\n");
    return 2;
  }
  halide_set_num_threads(kThreads);
  const double roofline_gb_s = copy_bandwidth(repeats);
  const double roofline_melem_s = roofline_gb_s * 1e9 / kBytesPerElement / 1e6;
  if (!json)
    std::fprintf(stderr, "memory copy, %d threads: %.2f GB/s -> roofline %.1f M elements/s at %.0f bytes/element\n",
                 kThreads, roofline_gb_s, roofline_melem_s, kBytesPerElement);

  std::vector<Row> rows;
  for (int bits : {1, 2, 4, 8}) {
    for (GridKind kind : {GridKind::Signed, GridKind::Unsigned, GridKind::Symmetric}) {
      const GridSpec g = make_grid(kind, bits);
      Buffer<float> x(kInner, kChannels, 1), grad(kInner, kChannels, 1), x_hat(kInner, kChannels, 1),
          grad_x(kInner, kChannels, 1), alpha(kChannels), sigma(kChannels);
      Buffer<double> grad_alpha(kChannels), grad_sigma(kChannels);
      std::mt19937 rng(bits);
      const float t_lo = g.t_of_level(g.q_min()) - 1.0f, t_hi = g.t_of_level(g.q_max()) + 1.0f;
      std::uniform_real_distribution<float> t_dist(t_lo, t_hi), g_dist(-1.0f, 1.0f);
      for (int c = 0; c < kChannels; ++c)
        alpha(c) = 2.0f / (1 << (bits - 1)) * (1.0f + 0.01f * c), sigma(c) = float(sigma_ratio) * alpha(c);
      x.for_each_element([&](int i, int c, int n) {
        x(i, c, n) = alpha(c) * t_dist(rng);
        grad(i, c, n) = g_dist(rng);
      });
      const int window = reference::required_edge_window(g, sigma_ratio);
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

  if (json) {
    std::printf("{\"roofline_gb_s\": %.3f, \"bytes_per_element\": %.0f, \"elements\": %d, \"threads\": %d, "
                "\"sigma_over_alpha\": %.3f, \"rows\": [",
                roofline_gb_s, kBytesPerElement, kInner * kChannels, kThreads, sigma_ratio);
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const Row &r = rows[i];
      std::string schedule = r.schedule;
      std::transform(schedule.begin(), schedule.end(), schedule.begin(), ::tolower);
      std::printf("%s{\"bits\": %d, \"grid\": \"%s\", \"schedule\": \"%s\", \"melem_s\": %.2f, "
                  "\"fraction_of_roofline\": %.3f, \"forward_melem_s\": %.2f, \"backward_melem_s\": %.2f, "
                  "\"x_pytorch\": ",
                  i ? ", " : "", r.bits, to_string(r.grid), schedule.c_str(), r.melem_s, r.fraction,
                  r.forward_melem_s, r.backward_melem_s);
      if (r.x_torch > 0) std::printf("%.1f}", r.x_torch);
      else std::printf("null}");
    }
    std::printf("]}\n");
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
  return 0;
}
