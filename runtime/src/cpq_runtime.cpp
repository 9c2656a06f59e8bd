//===- cpq_runtime.cpp - the runtime's C API over the kernel loader ---------===//
#include "cpq/runtime/cpq_runtime.h"

#include "cpq/runtime/kernel.h"

#include <cstring>
#include <exception>

struct cpq_kernel {
  std::unique_ptr<cpq::runtime::Kernel> kernel;
};

namespace {

void set_error(char *error, size_t size, const std::string &message) {
  if (!error || size == 0) return;
  const size_t n = std::min(size - 1, message.size());
  std::memcpy(error, message.data(), n);
  error[n] = '\0';
}

} // namespace

extern "C" {

cpq_kernel *cpq_kernel_load(const char *prefix, char *error, size_t error_size) {
  if (!prefix) {
    set_error(error, error_size, "cpq_kernel_load: prefix is NULL");
    return nullptr;
  }
  try {
    std::string message;
    auto k = cpq::runtime::Kernel::load(prefix, message);
    if (!k) {
      set_error(error, error_size, message);
      return nullptr;
    }
    return new cpq_kernel{std::move(k)};
  } catch (const std::exception &e) {
    set_error(error, error_size, std::string("cpq_kernel_load: ") + e.what());
    return nullptr;
  }
}

void cpq_kernel_free(cpq_kernel *kernel) { delete kernel; }

const char *cpq_kernel_function(const cpq_kernel *kernel) {
  return kernel ? kernel->kernel->function().c_str() : nullptr;
}

int cpq_kernel_argument_count(const cpq_kernel *kernel) {
  return kernel ? static_cast<int>(kernel->kernel->arguments().size()) : 0;
}

int cpq_kernel_argument(const cpq_kernel *kernel, int index, cpq_argument *out) {
  if (!kernel || !out || index < 0 || index >= cpq_kernel_argument_count(kernel)) return 1;
  const cpq::runtime::KernelArgument &a = kernel->kernel->arguments()[static_cast<size_t>(index)];
  out->name = a.name.c_str();
  out->role = a.role.c_str();
  out->is_output = a.output;
  out->is_buffer = a.buffer;
  out->type = a.type;
  out->rank = static_cast<int>(a.shape.size());
  out->shape = a.shape.data();
  return 0;
}

int cpq_kernel_call(const cpq_kernel *kernel, int buffer_count, const char *const *buffer_names,
                    halide_buffer_t *const *buffers, int scalar_count, const char *const *scalar_names,
                    const cpq_scalar *scalars, char *error, size_t error_size) {
  if (!kernel) {
    set_error(error, error_size, "cpq_kernel_call: kernel is NULL");
    return 1;
  }
  if (buffer_count < 0 || scalar_count < 0 || (buffer_count > 0 && (!buffer_names || !buffers)) ||
      (scalar_count > 0 && (!scalar_names || !scalars))) {
    set_error(error, error_size, "cpq_kernel_call: negative count or NULL array");
    return 1;
  }
  try {
    std::map<std::string, halide_buffer_t *> b;
    for (int i = 0; i < buffer_count; ++i) {
      if (!buffer_names[i]) {
        set_error(error, error_size, "cpq_kernel_call: buffer name " + std::to_string(i) + " is NULL");
        return 1;
      }
      if (!b.emplace(buffer_names[i], buffers[i]).second) {
        set_error(error, error_size, std::string("buffer '") + buffer_names[i] + "' is given twice");
        return 1;
      }
    }
    std::map<std::string, cpq::runtime::Scalar> s;
    for (int i = 0; i < scalar_count; ++i) {
      if (!scalar_names[i]) {
        set_error(error, error_size, "cpq_kernel_call: scalar name " + std::to_string(i) + " is NULL");
        return 1;
      }
      const cpq_scalar &v = scalars[i];
      const auto value =
          v.is_integer ? cpq::runtime::Scalar::of_int(v.integer) : cpq::runtime::Scalar::of(v.real);
      if (!s.emplace(scalar_names[i], value).second) {
        set_error(error, error_size, std::string("scalar '") + scalar_names[i] + "' is given twice");
        return 1;
      }
    }
    std::string message;
    if (!kernel->kernel->call(b, s, message)) {
      set_error(error, error_size, message);
      return 1;
    }
    return 0;
  } catch (const std::exception &e) {
    set_error(error, error_size, std::string("cpq_kernel_call: ") + e.what());
    return 1;
  }
}

} // extern "C"
