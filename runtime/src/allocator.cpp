//===- allocator.cpp - a caching allocator behind halide_malloc -------------===//
//
// This file implements the allocator declared in allocator.h. Each block
// carries a 64-byte header holding its capacity, so free knows what it
// returns; the payload is followed by 64 spare bytes. Free blocks wait in a
// map by capacity; an allocation takes the smallest free block at least as
// large as it needs and at most 25% larger.
//
//===----------------------------------------------------------------------===//
#include "cpq/runtime/allocator.h"


#include <cstdlib>
#include <map>
#include <mutex>

namespace cpq::runtime {
namespace {

constexpr std::size_t kAlign = 64, kHeader = 64, kTail = 64, kPage = 4096;

struct Cache {
  std::mutex mutex;
  std::multimap<std::size_t, void *> free_blocks; // capacity -> base
  std::size_t max_cached = std::size_t(1) << 30;
  AllocatorStats stats;
};

Cache &cache() {
  static Cache *c = new Cache; // never destroyed: kernels may free at exit
  return *c;
}

std::size_t &capacity_of(void *base) { return *static_cast<std::size_t *>(base); }

void *payload_of(void *base) { return static_cast<char *>(base) + kHeader; }

void *base_of(void *payload) { return static_cast<char *>(payload) - kHeader; }

void *allocate_block(std::size_t capacity) {
  void *base = std::aligned_alloc(kAlign, kHeader + capacity + kTail);
  if (base) capacity_of(base) = capacity;
  return base;
}

} // namespace

void *caching_malloc(void *, std::size_t bytes) {
  const std::size_t rounded = (bytes + kAlign - 1) / kAlign * kAlign;
  if (rounded < kCachedMinimum) {
    void *base = allocate_block(rounded);
    return base ? payload_of(base) : nullptr;
  }
  const std::size_t capacity = (rounded + kPage - 1) / kPage * kPage;
  Cache &c = cache();
  {
    std::lock_guard<std::mutex> lock(c.mutex);
    const auto it = c.free_blocks.lower_bound(capacity);
    if (it != c.free_blocks.end() && it->first <= capacity + capacity / 4) {
      void *base = it->second;
      c.stats.cached_bytes -= it->first;
      c.stats.live_bytes += it->first;
      ++c.stats.hits;
      c.free_blocks.erase(it);
      return payload_of(base);
    }
    ++c.stats.misses;
    c.stats.live_bytes += capacity;
  }
  void *base = allocate_block(capacity);
  if (!base) {
    std::lock_guard<std::mutex> lock(c.mutex);
    c.stats.live_bytes -= capacity;
    return nullptr;
  }
  return payload_of(base);
}

void caching_free(void *, void *ptr) {
  if (!ptr) return;
  void *base = base_of(ptr);
  const std::size_t capacity = capacity_of(base);
  if (capacity < kCachedMinimum) {
    std::free(base);
    return;
  }
  Cache &c = cache();
  {
    std::lock_guard<std::mutex> lock(c.mutex);
    c.stats.live_bytes -= capacity;
    if (c.stats.cached_bytes + capacity <= c.max_cached) {
      c.free_blocks.emplace(capacity, base);
      c.stats.cached_bytes += capacity;
      return;
    }
  }
  std::free(base);
}

void release_cached_memory() {
  Cache &c = cache();
  std::multimap<std::size_t, void *> blocks;
  {
    std::lock_guard<std::mutex> lock(c.mutex);
    blocks.swap(c.free_blocks);
    c.stats.cached_bytes = 0;
  }
  for (auto &[capacity, base] : blocks) std::free(base);
}

void set_cache_bound(std::size_t max_cached_bytes) {
  Cache &c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  c.max_cached = max_cached_bytes;
}

AllocatorStats allocator_stats() {
  Cache &c = cache();
  std::lock_guard<std::mutex> lock(c.mutex);
  return c.stats;
}

} // namespace cpq::runtime
