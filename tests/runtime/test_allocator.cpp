//===- test_allocator.cpp - the caching allocator behind halide_malloc -----===//
//
// Alignment and the readable margins halide_malloc promises, reuse of freed
// blocks (exact and within 25%), no caching of small blocks, the bound on
// cached bytes, thread safety, and that the AOT quantizer kernels give the
// same results on it as on Halide's default allocator while reusing blocks.
//
//===----------------------------------------------------------------------===//
#define BOOST_TEST_MODULE allocator
#include <boost/test/unit_test.hpp>

#include "codegen/quantize_kernels.h"
#include "cpq/runtime/allocator.h"
#include "../unit/dense_buffer.h"

#include <HalideBuffer.h>
#include <HalideRuntime.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <thread>
#include <vector>

using namespace cpq;

namespace {
struct Installed {
  Installed() { runtime::install_caching_allocator(); }
  ~Installed() { runtime::uninstall_caching_allocator(); }
};
} // namespace

BOOST_AUTO_TEST_CASE(blocks_are_aligned_with_readable_margins) {
  Installed use;
  for (std::size_t bytes : {std::size_t(1), std::size_t(100), std::size_t(4096), std::size_t(3) << 20}) {
    auto *p = static_cast<unsigned char *>(halide_malloc(nullptr, bytes));
    BOOST_TEST_REQUIRE(p != nullptr);
    BOOST_TEST(reinterpret_cast<std::uintptr_t>(p) % 64 == 0u);
    std::memset(p - 8, 0xAB, bytes + 16); // 8 bytes either side are ours to touch
    halide_free(nullptr, p);
  }
}

BOOST_AUTO_TEST_CASE(freed_large_blocks_are_reused) {
  Installed use;
  runtime::release_cached_memory();
  const auto before = runtime::allocator_stats();
  void *a = halide_malloc(nullptr, 12 << 20);
  halide_free(nullptr, a);
  BOOST_TEST(runtime::allocator_stats().cached_bytes >= std::size_t(12) << 20);
  void *b = halide_malloc(nullptr, 12 << 20);
  BOOST_TEST(b == a);
  halide_free(nullptr, b);
  void *c = halide_malloc(nullptr, 11 << 20); // within 25%: the same block
  BOOST_TEST(c == a);
  halide_free(nullptr, c);
  void *d = halide_malloc(nullptr, 4 << 20); // far smaller: a new block
  BOOST_TEST(d != a);
  halide_free(nullptr, d);
  const auto after = runtime::allocator_stats();
  BOOST_TEST(after.hits - before.hits == 2u);
  BOOST_TEST(after.misses - before.misses == 2u);
  BOOST_TEST(after.live_bytes == before.live_bytes);
  runtime::release_cached_memory();
  BOOST_TEST(runtime::allocator_stats().cached_bytes == 0u);
}

BOOST_AUTO_TEST_CASE(small_blocks_are_not_cached_and_the_cache_is_bounded) {
  Installed use;
  runtime::release_cached_memory();
  halide_free(nullptr, halide_malloc(nullptr, 1000));
  BOOST_TEST(runtime::allocator_stats().cached_bytes == 0u);
  runtime::install_caching_allocator(std::size_t(1) << 20); // hold at most 1 MiB
  void *a = halide_malloc(nullptr, 768 << 10), *b = halide_malloc(nullptr, 768 << 10);
  halide_free(nullptr, a);
  halide_free(nullptr, b); // would exceed the bound: released
  BOOST_TEST(runtime::allocator_stats().cached_bytes == std::size_t(768) << 10);
  runtime::install_caching_allocator();
  runtime::release_cached_memory();
}

BOOST_AUTO_TEST_CASE(threads_share_the_cache_safely) {
  Installed use;
  runtime::release_cached_memory();
  const auto before = runtime::allocator_stats();
  std::vector<std::thread> pool;
  for (int t = 0; t < 4; ++t)
    pool.emplace_back([t] {
      std::mt19937 rng(t);
      for (int k = 0; k < 2000; ++k) {
        const std::size_t bytes = (std::size_t(256) << 10) * (1 + rng() % 4);
        auto *p = static_cast<char *>(halide_malloc(nullptr, bytes));
        p[0] = p[bytes - 1] = char(k);
        halide_free(nullptr, p);
      }
    });
  for (auto &th : pool) th.join();
  const auto after = runtime::allocator_stats();
  BOOST_TEST(after.live_bytes == before.live_bytes);
  BOOST_TEST(after.hits + after.misses - before.hits - before.misses == 8000u);
  BOOST_TEST(after.hits > after.misses);
  runtime::release_cached_memory();
}

BOOST_AUTO_TEST_CASE(kernels_give_the_same_results_on_reused_blocks) {
  const GridSpec g = make_grid(GridKind::Signed, 2);
  const auto *bwd = aot::find_quantize_backward(g);
  BOOST_TEST_REQUIRE(bwd != nullptr);
  const int inner = 1 << 15, channels = 8;
  Halide::Runtime::Buffer<float> x(inner, channels, 1), grad(inner, channels, 1), alpha(channels), sigma(channels);
  std::mt19937 rng(3);
  std::uniform_real_distribution<float> dist(-3.0f, 3.0f);
  testing::for_each_dense<float>(x, [&](float &v) { v = dist(rng); });
  testing::for_each_dense<float>(grad, [&](float &v) { v = dist(rng); });
  alpha.fill(1.0f), sigma.fill(0.25f);
  auto run = [&](Halide::Runtime::Buffer<float> &gx, Halide::Runtime::Buffer<double> &ga,
                 Halide::Runtime::Buffer<double> &gs) {
    return bwd->fn(x, alpha, sigma, grad, all_levels(2), 8, gx, ga, gs);
  };
  Halide::Runtime::Buffer<float> gx0(inner, channels, 1), gx1(inner, channels, 1), gx2(inner, channels, 1);
  Halide::Runtime::Buffer<double> ga0(channels), gs0(channels), ga1(channels), gs1(channels), ga2(channels),
      gs2(channels);
  BOOST_TEST_REQUIRE(run(gx0, ga0, gs0) == 0); // Halide's default allocator
  Installed use;
  const auto before = runtime::allocator_stats();
  BOOST_TEST_REQUIRE(run(gx1, ga1, gs1) == 0);
  BOOST_TEST_REQUIRE(run(gx2, ga2, gs2) == 0);
  const auto after = runtime::allocator_stats();
  BOOST_TEST(after.hits > before.hits, "the second call reuses the first call's temporaries");
  BOOST_TEST(std::memcmp(gx0.data(), gx1.data(), gx0.size_in_bytes()) == 0);
  BOOST_TEST(std::memcmp(gx0.data(), gx2.data(), gx0.size_in_bytes()) == 0);
  for (int c = 0; c < channels; ++c) {
    BOOST_TEST(ga0(c) == ga2(c));
    BOOST_TEST(gs0(c) == gs2(c));
  }
}
