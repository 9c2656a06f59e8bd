//===- kernel_demo.cpp - a tour of the cpq kernel core ---------------------===//
//
// Quantizes a tensor with the CPQ quantizer of the kernel core: the grids,
// the forward (round to nearest, clip), DropBits masks for a few training
// steps, the multi-class straight-through gradients (slow and fast forms),
// and the bit-packed codes of the weights with their size against float32.
//
// Usage: cpq-kernel-demo [bits (1..8, default 3)] [elements (default 1000000)]
//
//===----------------------------------------------------------------------===//
#include "cpq/kernels/pack.h"
#include "cpq/kernels/quantizer_reference.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

using namespace cpq;

namespace {
void print_grid(GridSpec g, float alpha) {
  std::printf("  %-9s %d-bit, alpha %.2f:", to_string(g.kind), g.bits, alpha);
  for (int code = 0; code < g.num_points(); ++code)
    std::printf(" %.3g", reference::dequantize(g, g.level_of_code(code), alpha));
  std::printf("\n");
}

std::string levels_of(const SurvivingGrid &s) {
  std::string out;
  for (int i = 0; i < s.count; ++i) out += (i ? " " : "") + std::to_string(s.q[i]);
  return out;
}

int parse_int(const char *arg, const char *what, long lo, long hi) {
  char *end = nullptr;
  const long v = std::strtol(arg, &end, 10);
  if (!end || *end || v < lo || v > hi) {
    std::fprintf(stderr, "cpq-kernel-demo: %s must be an integer in %ld..%ld, got '%s'\n", what, lo, hi, arg);
    std::exit(2);
  }
  return static_cast<int>(v);
}
} // namespace

int main(int argc, char **argv) {
  const int bits = argc > 1 ? parse_int(argv[1], "bits", 1, 8) : 3;
  const int n = argc > 2 ? parse_int(argv[2], "elements", 1, 100000000) : 1000000;

  std::printf("1. Grids (cpq-method.md section 1), 2 bits:\n");
  for (auto kind : {GridKind::Signed, GridKind::Unsigned, GridKind::Symmetric}) print_grid(make_grid(kind, 2), 0.5f);

  const GridSpec g = make_grid(GridKind::Signed, bits);
  const float alpha = 2.5f / (1 << (bits - 1)), sigma = 0.1f * alpha;
  std::printf("\n2. Forward on the %s grid: round to nearest, clip (alpha %.4g)\n", g.name().c_str(), alpha);
  const SurvivingGrid full = make_surviving_grid(g);
  for (float x : {-3.0f, -0.4f, 0.1f, 0.3f, 1.26f, 9.0f}) {
    const int q = reference::quantize_level(full, x, alpha);
    std::printf("  x = %6.2f -> level %4d, x_hat = %.4g\n", x, q, reference::dequantize(g, q, alpha));
  }

  std::printf("\n3. DropBits (section 4), p = 0.5, seed 1, tensor 0:\n");
  if (bits == 1) std::printf("  a 1-bit grid has no levels to drop\n");
  for (auto mode : {DropBitsMode::Hierarchical, DropBitsMode::Independent}) {
    if (bits == 1) break;
    std::printf("  %s:\n", mode == DropBitsMode::Hierarchical ? "hierarchical" : "independent");
    for (std::uint64_t step = 0; step < 4; ++step) {
      const LevelMask keep = draw_dropbits_mask(g, {0.5, mode}, 1, step, 0);
      std::printf("    step %llu: surviving levels {%s}\n", static_cast<unsigned long long>(step),
                  levels_of(make_surviving_grid(g, keep)).c_str());
    }
  }

  std::printf("\n4. Multi-class STE gradients (section 3), sigma %.3g, dL/dx_hat = 1:\n", sigma);
  std::printf("  %8s %12s %12s %12s %12s\n", "x", "dL/dx slow", "dL/dx fast", "dL/dalpha", "dL/dsigma");
  for (float t : {0.0f, 0.25f, 0.5f, 0.75f, 1.0f}) {
    const float x = alpha * t;
    const auto slow = reference::backward_slow(full, x, alpha, sigma, 1.0f);
    const auto fast = reference::backward_fast<float>(full, x, alpha, sigma, 1.0f);
    std::printf("  %8.4f %12.6g %12.6g %12.6g %12.6g\n", x, slow.dx, fast.dx, fast.dalpha, fast.dsigma);
  }
  std::printf("  (largest at the cell edge x = alpha/2: weights are pulled to grid points)\n");

  std::printf("\n5. %d N(0,1) weights -> %d-bit codes -> packed (%s kernels)\n", n, bits, pack_arch_name());
  std::mt19937 rng(7);
  std::normal_distribution<float> normal;
  std::vector<float> w(n), w_hat(n);
  for (auto &v : w) v = normal(rng);
  std::vector<std::uint8_t> codes(n), back(n), packed(packed_bytes(n, bits));
  const auto layout = reference::ChannelLayout::per_tensor(n);
  reference::quantize_forward(full, layout, w.data(), &alpha, w_hat.data(), codes.data());
  const auto t0 = std::chrono::steady_clock::now();
  pack_codes(codes.data(), n, bits, packed.data());
  const auto t1 = std::chrono::steady_clock::now();
  unpack_codes(packed.data(), n, bits, back.data());
  const bool same = back == codes;
  double err = 0;
  for (int i = 0; i < n; ++i) err += double(w[i] - w_hat[i]) * double(w[i] - w_hat[i]);
  std::printf("  float32: %zu bytes, packed: %zu bytes (%.1fx smaller), round trip %s\n",
              sizeof(float) * static_cast<std::size_t>(n), packed.size(), 4.0 * n / packed.size(),
              same ? "exact" : "MISMATCH");
  std::printf("  quantization RMS error %.4g; packing took %.3g ms\n", std::sqrt(err / n),
              std::chrono::duration<double, std::milli>(t1 - t0).count());
  return same ? 0 : 1;
}
