//===- dense_buffer.h - filling Halide buffers without for_each_value ------===//
//
// Halide 14's Buffer::for_each_value (and fill, copy_from, which use it) reads
// an uninitialised slot of its alloca'd dimension table when it flattens a
// buffer of two or more dimensions, and then advances the data pointer by that
// garbage stride after the last element. It never dereferences it, but the
// pointer arithmetic overflows, which UBSan (our asan preset) reports as an
// error on machines where the stack slot is not zero. The tests allocate
// dense buffers, so they fill them through the host pointer instead.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <HalideBuffer.h>

#include <algorithm>
#include <cassert>
#include <cstddef>

namespace cpq::testing {

/// The buffer's elements as one contiguous range; the buffer must be dense
/// (as every freshly allocated Halide::Runtime::Buffer is).
template <typename T, typename Buf> T *dense_begin(Buf &b) {
  assert(b.size_in_bytes() == b.number_of_elements() * sizeof(T) && "buffer is not dense");
  return reinterpret_cast<T *>(b.raw_buffer()->host);
}

/// Sets every element of a dense buffer to `value`.
template <typename T, typename Buf> void fill_dense(Buf &b, T value) {
  T *p = dense_begin<T>(b);
  std::fill(p, p + b.number_of_elements(), value);
}

/// Calls f(element&) on every element of a dense buffer, in storage order.
template <typename T, typename Buf, typename F> void for_each_dense(Buf &b, F &&f) {
  T *p = dense_begin<T>(b);
  for (std::size_t i = 0, n = b.number_of_elements(); i < n; ++i) f(p[i]);
}

} // namespace cpq::testing
