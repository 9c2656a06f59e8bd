//===- allocator_install.cpp - the caching allocator behind halide_malloc ---===//
//
// Installing the allocator into the Halide runtime linked with the program
// (the AOT kernels' shared runtime); the allocator itself (allocator.cpp)
// does not depend on Halide, so a loader of kernel shared objects can hand it
// to each object's own runtime.
//
//===----------------------------------------------------------------------===//
#include "cpq/runtime/allocator.h"

#include <HalideRuntime.h>

#include <mutex>

namespace cpq::runtime {
namespace {
std::mutex install_mutex;
bool installed = false;
} // namespace

void install_caching_allocator(std::size_t max_cached_bytes) {
  set_cache_bound(max_cached_bytes);
  {
    std::lock_guard<std::mutex> lock(install_mutex);
    if (installed) return;
    installed = true;
  }
  halide_set_custom_malloc(caching_malloc);
  halide_set_custom_free(caching_free);
}

void uninstall_caching_allocator() {
  {
    std::lock_guard<std::mutex> lock(install_mutex);
    if (!installed) return;
    installed = false;
  }
  halide_set_custom_malloc(halide_default_malloc);
  halide_set_custom_free(halide_default_free);
  release_cached_memory();
}

} // namespace cpq::runtime
