//===- tensor.h - dense host tensors over halide_buffer_t ---------*- C++ -*-===//
//
// This file implements `HostTensor`: a dense, row-major tensor in host
// memory that owns its bytes and presents them as the `halide_buffer_t` a
// kernel takes. Shapes are in MLIR order (outermost first); Halide's
// dimension 0 is the innermost. A kernel argument's shape (-1 for the
// dynamic batch) and a batch give the tensor for that argument.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "cpq/runtime/kernel.h"

#include <HalideRuntime.h>

#include <cstdint>
#include <cstring>
#include <vector>

namespace cpq::runtime {

class HostTensor {
public:
  HostTensor(halide_type_t type, std::vector<std::int64_t> shape) : type_(type), shape_(std::move(shape)) {
    std::int64_t stride = 1;
    for (auto it = shape_.rbegin(); it != shape_.rend(); ++it) {
      dims_.push_back(halide_dimension_t(0, static_cast<std::int32_t>(*it), static_cast<std::int32_t>(stride)));
      stride *= *it;
    }
    count_ = static_cast<std::size_t>(stride);
    bytes_.assign(count_ * type_.bytes(), 0);
    buffer_.host = bytes_.data();
    buffer_.type = type_;
    buffer_.dimensions = static_cast<std::int32_t>(dims_.size());
    buffer_.dim = dims_.data();
  }
  /// The tensor of kernel argument `arg` at batch `batch`.
  static std::vector<std::int64_t> shape_of(const KernelArgument &arg, std::int64_t batch) {
    std::vector<std::int64_t> s = arg.shape;
    for (auto &d : s)
      if (d < 0) d = batch;
    return s;
  }
  HostTensor(const KernelArgument &arg, std::int64_t batch) : HostTensor(arg.type, shape_of(arg, batch)) {}
  HostTensor(const HostTensor &) = delete;
  HostTensor &operator=(const HostTensor &) = delete;

  halide_buffer_t *buffer() { return &buffer_; }
  const std::vector<std::int64_t> &shape() const { return shape_; }
  std::size_t count() const { return count_; }
  template <class T> T *data() { return reinterpret_cast<T *>(bytes_.data()); }
  template <class T> const T *data() const { return reinterpret_cast<const T *>(bytes_.data()); }
  std::vector<float> to_floats() const {
    std::vector<float> v(count_);
    std::memcpy(v.data(), bytes_.data(), count_ * sizeof(float));
    return v;
  }
  void assign_floats(const std::vector<float> &v) { std::memcpy(bytes_.data(), v.data(), count_ * sizeof(float)); }
  /// Swaps contents with a tensor of the same type and shape (double buffering).
  void swap(HostTensor &other) {
    bytes_.swap(other.bytes_);
    buffer_.host = bytes_.data();
    other.buffer_.host = other.bytes_.data();
  }

private:
  halide_type_t type_;
  std::vector<std::int64_t> shape_;
  std::vector<halide_dimension_t> dims_;
  std::vector<std::uint8_t> bytes_;
  std::size_t count_ = 0;
  halide_buffer_t buffer_{};
};

} // namespace cpq::runtime
