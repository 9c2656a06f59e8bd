//===- cpq_runtime.cpp - the runtime's C API over the kernel loader ---------===//
#include "cpq/runtime/cpq_runtime.h"

#include "cpq/runtime/kernel.h"
#include "cpq/runtime/model.h"

#include <cstring>
#include <exception>
#include <map>
#include <memory>
#include <vector>

struct cpq_kernel {
  std::unique_ptr<cpq::runtime::Kernel> kernel;
};

struct cpq_model {
  std::unique_ptr<cpq::runtime::Model> model;
  std::vector<const cpq::runtime::KernelArgument *> data; ///< the arguments a call takes
};

namespace {

void set_error(char *error, size_t size, const std::string &message) {
  if (!error || size == 0) return;
  const size_t n = std::min(size - 1, message.size());
  std::memcpy(error, message.data(), n);
  error[n] = '\0';
}

void describe(const cpq::runtime::KernelArgument &a, cpq_argument *out) {
  out->name = a.name.c_str();
  out->role = a.role.c_str();
  out->is_output = a.output;
  out->is_buffer = a.buffer;
  out->type = a.type;
  out->rank = static_cast<int>(a.shape.size());
  out->shape = a.shape.data();
}

/// Names and buffers as a map; false with `error` set for NULLs or a name given twice.
bool named_buffers(const char *function, int count, const char *const *names, halide_buffer_t *const *buffers,
                   std::map<std::string, halide_buffer_t *> &out, char *error, size_t error_size) {
  if (count < 0 || (count > 0 && (!names || !buffers))) {
    set_error(error, error_size, std::string(function) + ": negative count or NULL array");
    return false;
  }
  for (int i = 0; i < count; ++i) {
    if (!names[i]) {
      set_error(error, error_size, std::string(function) + ": buffer name " + std::to_string(i) + " is NULL");
      return false;
    }
    if (!out.emplace(names[i], buffers[i]).second) {
      set_error(error, error_size, std::string("buffer '") + names[i] + "' is given twice");
      return false;
    }
  }
  return true;
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
  describe(kernel->kernel->arguments()[static_cast<size_t>(index)], out);
  return 0;
}

int cpq_kernel_call(const cpq_kernel *kernel, int buffer_count, const char *const *buffer_names,
                    halide_buffer_t *const *buffers, int scalar_count, const char *const *scalar_names,
                    const cpq_scalar *scalars, char *error, size_t error_size) {
  if (!kernel) {
    set_error(error, error_size, "cpq_kernel_call: kernel is NULL");
    return 1;
  }
  if (scalar_count < 0 || (scalar_count > 0 && (!scalar_names || !scalars))) {
    set_error(error, error_size, "cpq_kernel_call: negative count or NULL array");
    return 1;
  }
  try {
    std::map<std::string, halide_buffer_t *> b;
    if (!named_buffers("cpq_kernel_call", buffer_count, buffer_names, buffers, b, error, error_size)) return 1;
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

cpq_model *cpq_model_load(const char *path, char *error, size_t error_size) {
  return cpq_model_load_options(path, 0, error, error_size);
}

cpq_model *cpq_model_load_options(const char *path, int flags, char *error, size_t error_size) {
  if (!path) {
    set_error(error, error_size, "cpq_model_load: path is NULL");
    return nullptr;
  }
  if (flags & ~(CPQ_MODEL_ANY_KERNEL_PATH | CPQ_MODEL_REQUIRE_PINNED_KERNEL)) {
    set_error(error, error_size, "cpq_model_load_options: unknown flags " + std::to_string(flags));
    return nullptr;
  }
  try {
    std::string message;
    cpq::runtime::ModelLoadOptions options;
    options.any_kernel_path = (flags & CPQ_MODEL_ANY_KERNEL_PATH) != 0;
    options.require_pinned_kernel = (flags & CPQ_MODEL_REQUIRE_PINNED_KERNEL) != 0;
    auto m = cpq::runtime::Model::load(path, message, options);
    if (!m) {
      set_error(error, error_size, message);
      return nullptr;
    }
    auto out = std::make_unique<cpq_model>();
    for (const cpq::runtime::KernelArgument &a : m->kernel().arguments())
      if (!m->is_parameter(a.name)) out->data.push_back(&a);
    out->model = std::move(m);
    return out.release();
  } catch (const std::exception &e) {
    set_error(error, error_size, std::string("cpq_model_load: ") + e.what());
    return nullptr;
  }
}

void cpq_model_free(cpq_model *model) { delete model; }

const char *cpq_model_function(const cpq_model *model) {
  return model ? model->model->kernel().function().c_str() : nullptr;
}

int cpq_model_argument_count(const cpq_model *model) { return model ? static_cast<int>(model->data.size()) : 0; }

int cpq_model_argument(const cpq_model *model, int index, cpq_argument *out) {
  if (!model || !out || index < 0 || index >= cpq_model_argument_count(model)) return 1;
  describe(*model->data[static_cast<size_t>(index)], out);
  return 0;
}

int64_t cpq_model_file_bytes(const cpq_model *model) { return model ? model->model->file_bytes() : 0; }

int cpq_model_call(const cpq_model *model, int buffer_count, const char *const *buffer_names,
                   halide_buffer_t *const *buffers, char *error, size_t error_size) {
  if (!model) {
    set_error(error, error_size, "cpq_model_call: model is NULL");
    return 1;
  }
  try {
    std::map<std::string, halide_buffer_t *> b;
    if (!named_buffers("cpq_model_call", buffer_count, buffer_names, buffers, b, error, error_size)) return 1;
    std::string message;
    if (!model->model->call(b, message)) {
      set_error(error, error_size, message);
      return 1;
    }
    return 0;
  } catch (const std::exception &e) {
    set_error(error, error_size, std::string("cpq_model_call: ") + e.what());
    return 1;
  }
}

} // extern "C"
