// An outside project's program: calls the kernel cpq_add_network compiled
// from mlp.mlir (consumer_mlp.h) on a batch, and checks every output against
// the same network computed here with the installed kernel core's scalar
// reference of the quantizer (cpq/kernels/quantizer_reference.h).
// Prints the largest difference; exits 1 when it is above 1e-4.
#include "consumer_mlp.h"
#include "cpq/kernels/quantizer_reference.h"

#include <HalideBuffer.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

namespace {
constexpr int kIn = 16, kHidden = 8, kOut = 4, kBatch = 37;

template <class T> using Buffer = Halide::Runtime::Buffer<T>;

// Halide buffers are in MLIR order with the last axis first.
Buffer<float> matrix(int rows, int cols) { return Buffer<float>(cols, rows); }

void fill(Buffer<float> &b, std::mt19937 &rng, float scale) {
  std::normal_distribution<float> normal(0.0f, scale);
  b.for_each_value([&](float &v) { v = normal(rng); });
}
} // namespace

int main() {
  std::mt19937 rng(7);
  Buffer<float> w1 = matrix(kHidden, kIn), b1(kHidden);
  Buffer<float> w2 = matrix(kOut, kHidden), b2(kOut), x = matrix(kBatch, kIn), y = matrix(kBatch, kOut);
  fill(w1, rng, 0.35f), fill(b1, rng, 0.1f), fill(w2, rng, 0.5f), fill(b2, rng, 0.1f), fill(x, rng, 1.0f);

  // The quantizer's scales have values in mlp.mlir, so they are compiled in;
  // the parameters without values are arguments, after the input.
  if (int rc = consumer_mlp(x, w1, b1, w2, b2, y); rc != 0) {
    std::fprintf(stderr, "consumer-mlp: the kernel returned %d\n", rc);
    return 1;
  }

  // The same network here: weights on the 2-bit signed grid, alpha 0.25.
  const float alpha = 0.25f;
  const cpq::GridSpec grid = cpq::make_grid(cpq::GridKind::Signed, 2);
  double worst = 0;
  for (int n = 0; n < kBatch; ++n) {
    float hidden[kHidden];
    for (int o = 0; o < kHidden; ++o) {
      float acc = b1(o);
      for (int i = 0; i < kIn; ++i)
        acc += x(i, n) * cpq::reference::dequantize(grid, cpq::reference::quantize_level(grid, w1(i, o), alpha), alpha);
      hidden[o] = std::max(acc, 0.0f);
    }
    for (int k = 0; k < kOut; ++k) {
      float acc = b2(k);
      for (int o = 0; o < kHidden; ++o) acc += hidden[o] * w2(o, k);
      worst = std::max(worst, double(std::fabs(acc - y(k, n))));
    }
  }
  std::printf("consumer-mlp: %d x %d -> %d outputs from the AOT kernel, largest difference from the reference %.3g\n",
              kBatch, kIn, kOut, worst);
  return worst <= 1e-4 ? 0 : 1;
}
