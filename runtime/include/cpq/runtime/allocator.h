//===- allocator.h - a caching allocator behind halide_malloc ------*- C++ -*-===//
//
// This file declares the allocator the runtime installs for the AOT kernels.
//
// A kernel that computes a tensor-sized intermediate (the quantizer's
// backward keeps its per-element gradients, 12 bytes an element) allocates it
// with halide_malloc and frees it on return. Halide's default allocator is
// glibc malloc, which serves such blocks with a fresh mmap and unmaps them on
// free, so every call pays a page fault per 4 KiB touched: on this machine a
// 2^20-element quantizer backward ran at 0.4x the speed it has when the
// block is reused (bench/quantizer --system-malloc shows the difference).
// Training calls the same kernels on the same shapes every step, so keeping
// freed blocks and handing them back is what a runtime does.
//
// Blocks are 64-byte aligned with 64 readable bytes before and after, as
// halide_malloc requires. Blocks of at least kCachedMinimum bytes are kept on
// free, up to a bound on the cached total; smaller ones go straight to malloc.
// Thread-safe.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstddef>

namespace cpq::runtime {

/// Blocks smaller than this are not cached (malloc serves them from its heap).
inline constexpr std::size_t kCachedMinimum = std::size_t(256) << 10;

struct AllocatorStats {
  std::size_t hits = 0;         ///< allocations served from the cache
  std::size_t misses = 0;       ///< cacheable allocations that had to allocate
  std::size_t cached_bytes = 0; ///< bytes held by free cached blocks now
  std::size_t live_bytes = 0;   ///< bytes of cacheable blocks in use now
};

/// Makes halide_malloc/halide_free of the AOT kernels use the caching
/// allocator, holding at most `max_cached_bytes` of free blocks. Idempotent;
/// a later call only changes the bound.
void install_caching_allocator(std::size_t max_cached_bytes = std::size_t(1) << 30);

/// Restores Halide's default allocator and releases the cached blocks. Call
/// it only while no kernel runs (a block in use would go to the wrong free).
void uninstall_caching_allocator();

/// Changes the bound on cached free bytes (install_caching_allocator sets it).
void set_cache_bound(std::size_t max_cached_bytes);
/// Frees every cached block.
void release_cached_memory();

AllocatorStats allocator_stats();

/// The allocator's own entry points (what is installed), for direct use.
void *caching_malloc(void *user_context, std::size_t bytes);
void caching_free(void *user_context, void *ptr);

} // namespace cpq::runtime
