//===- model.cpp - packed models: a kernel and its parameter file ---------===//
#include "cpq/runtime/model.h"

#include "cpq/runtime/safetensors.h"

#include <cstring>
#include <filesystem>

namespace cpq::runtime {

namespace {

/// safetensors' name of a kernel argument's element type ("" if none).
std::string dtype_of(const halide_type_t &t) {
  if (t.code == halide_type_float && t.bits == 32) return "F32";
  if (t.code == halide_type_uint && t.bits == 8) return "U8";
  if (t.code == halide_type_int && t.bits == 8) return "I8";
  if (t.code == halide_type_int && t.bits == 32) return "I32";
  return "";
}

} // namespace

bool write_model_file(const std::string &path, const std::string &kernel_prefix, const std::string &function,
                      const std::vector<ModelFileTensor> &tensors, std::string &error) {
  namespace fs = std::filesystem;
  namespace mf = model_format;
  if (tensors.empty()) return error = path + ": not written: a model file needs at least one tensor", false;
  safetensors::File file;
  std::error_code ec;
  const fs::path folder = fs::absolute(fs::path(path), ec).parent_path();
  const fs::path kernel = fs::relative(fs::absolute(fs::path(kernel_prefix), ec), folder, ec);
  file.metadata[mf::format_key] = mf::tag;
  file.metadata[mf::kernel_key] = ec || kernel.empty() ? fs::absolute(fs::path(kernel_prefix)).string() : kernel.string();
  file.metadata[mf::function_key] = function;
  for (const ModelFileTensor &t : tensors) {
    file.tensors.push_back({t.name, t.dtype, t.shape, t.bytes});
    file.metadata[mf::elements_prefix + t.name] = std::to_string(t.elements);
    if (!t.layout.empty()) file.metadata[mf::layout_prefix + t.name] = t.layout;
    if (t.weight_layout) file.metadata[mf::weight_layout_prefix + t.name] = to_string(*t.weight_layout);
  }
  return safetensors::write(path, file, error);
}

bool is_model_file(const std::string &path) {
  const std::string suffix = ".safetensors";
  return path.size() > suffix.size() && path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::unique_ptr<Model> Model::load(const std::string &path, std::string &error) {
  namespace fs = std::filesystem;
  safetensors::File file;
  if (!safetensors::read(path, file, error)) return nullptr;
  auto meta = [&](const std::string &key) {
    auto it = file.metadata.find(key);
    return it == file.metadata.end() ? std::string() : it->second;
  };
  namespace mf = model_format;
  if (meta(mf::format_key) != mf::tag) {
    error = path + ": not a cpq packed model (its metadata has no " + mf::format_key + " \"" + mf::tag +
            "\"; write one with cpq-compile --model)";
    return nullptr;
  }
  std::unique_ptr<Model> m(new Model());
  m->path_ = path;
  const std::string kernel = meta(mf::kernel_key);
  if (kernel.empty()) {
    error = path + ": its metadata names no kernel (" + mf::kernel_key + ")";
    return nullptr;
  }
  fs::path prefix(kernel);
  if (prefix.is_relative()) prefix = fs::path(path).parent_path() / prefix;
  m->kernel_prefix_ = prefix.string();
  m->kernel_ = Kernel::load(m->kernel_prefix_, error);
  if (!m->kernel_) {
    error = path + ": its kernel: " + error;
    return nullptr;
  }
  std::error_code ec;
  m->file_bytes_ = std::int64_t(fs::file_size(path, ec));
  std::int64_t data_bytes = 0;
  for (const auto &t : file.tensors) data_bytes += std::int64_t(t.data.size());
  m->header_bytes_ = m->file_bytes_ - data_bytes;

  // Every parameter input of the kernel from the file, of its type and shape;
  // every tensor of the file an input of the kernel.
  for (const KernelArgument &a : m->kernel_->arguments()) {
    if (a.output || a.role != "param") continue;
    const safetensors::Tensor *t = file.find(a.name);
    if (!t) {
      error = path + ": has no tensor '" + a.name + "', an input of its kernel " + m->kernel_prefix_ +
              " (a model file and kernel of different networks?)";
      return nullptr;
    }
    if (!a.buffer || t->dtype != dtype_of(a.type) || t->shape != a.shape) {
      error = path + ": tensor '" + a.name + "' is " + t->dtype + " " + shape_text(t->shape) + ", its kernel " +
              m->kernel_prefix_ + " takes " + type_name(a.type) + " " + shape_text(a.shape);
      return nullptr;
    }
    auto value = std::make_unique<HostTensor>(a.type, a.shape);
    std::memcpy(value->data<std::uint8_t>(), t->data.data(), t->data.size());
    m->bound_[a.name] = value->buffer();
    m->values_.push_back(std::move(value));
  }
  for (const safetensors::Tensor &t : file.tensors) {
    if (!m->bound_.count(t.name)) {
      error = path + ": tensor '" + t.name + "' is not an input of its kernel " + m->kernel_prefix_;
      return nullptr;
    }
    ModelTensorInfo info;
    info.name = t.name, info.dtype = t.dtype, info.shape = t.shape, info.layout = meta(mf::layout_prefix + t.name);
    info.bytes = std::int64_t(t.data.size());
    info.elements = t.elements();
    if (const std::string kind = meta(mf::weight_layout_prefix + t.name); !kind.empty()) {
      info.weight_layout = weight_layout_named(kind);
      if (!info.weight_layout) {
        error = path + ": " + mf::weight_layout_prefix + t.name + " is '" + kind + "', not rows, panels or bit_rows";
        return nullptr;
      }
    }
    const std::string elements = meta(mf::elements_prefix + t.name);
    if (!elements.empty()) {
      char *end = nullptr;
      const long long n = std::strtoll(elements.c_str(), &end, 10);
      if (*end || n < 0) {
        error = path + ": " + mf::elements_prefix + t.name + " is not a count: '" + elements + "'";
        return nullptr;
      }
      info.elements = n;
    }
    m->info_.push_back(std::move(info));
  }
  return m;
}

bool Model::call(const std::map<std::string, halide_buffer_t *> &buffers, std::string &error) const {
  std::map<std::string, halide_buffer_t *> all = bound_;
  for (const auto &[name, buffer] : buffers) {
    if (bound_.count(name)) {
      error = path_ + ": '" + name + "' is one of the model's parameters, not a data argument";
      return false;
    }
    all[name] = buffer;
  }
  return kernel_->call(all, {}, error);
}

} // namespace cpq::runtime
