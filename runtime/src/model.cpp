//===- model.cpp - model files: a kernel and its parameters -----------------===//
#include "cpq/runtime/model.h"

#include "cpq/kernels/packed_reference.h"
#include "cpq/kernels/qgemm.h"
#include "cpq/runtime/safetensors.h"

#include <cstring>
#include <filesystem>
#include <sstream>

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

std::string grid_text(GridSpec grid) { return std::string(to_string(grid.kind)) + " " + std::to_string(grid.bits); }

std::optional<GridSpec> grid_from_text(const std::string &text) {
  std::istringstream in(text);
  std::string kind, rest;
  int bits = 0;
  if (!(in >> kind >> bits) || (in >> rest) || bits < 1 || bits > 8) return std::nullopt;
  const std::optional<GridKind> k = parse_grid_kind(kind);
  if (!k) return std::nullopt;
  return GridSpec{*k, bits};
}

bool write_model_file(const std::string &path, const std::string &kernel_prefix, const std::string &function,
                      const std::vector<ModelFileTensor> &tensors, std::string &error) {
  namespace mf = model_format;
  if (tensors.empty()) return error = path + ": not written: a model file needs at least one tensor", false;
  safetensors::File file;
  file.metadata[mf::format_key] = mf::tag;
  file.metadata[mf::kernel_key] = kernel_reference(path, kernel_prefix);
  file.metadata[mf::function_key] = function;
  for (const ModelFileTensor &t : tensors) {
    file.tensors.push_back({t.name, t.dtype, t.shape, t.bytes});
    file.metadata[mf::elements_prefix + t.name] = std::to_string(t.elements);
    if (!t.layout.empty()) file.metadata[mf::layout_prefix + t.name] = t.layout;
    if (t.weight_layout) file.metadata[mf::weight_layout_prefix + t.name] = to_string(*t.weight_layout);
    if (t.rows_to_panels) {
      if (t.weight_layout != WeightLayout::Rows)
        return error = path + ": not written: tensor '" + t.name + "' is laid out as panels at load but not stored as rows", false;
      file.metadata[mf::rows_to_panels_prefix + t.name] = grid_text(*t.rows_to_panels);
      file.metadata[mf::format_key] = mf::tag_v2;
    }
  }
  return safetensors::write(path, file, error);
}

std::string kernel_reference(const std::string &model_path, const std::string &kernel_prefix) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path folder = fs::absolute(fs::path(model_path), ec).parent_path();
  const fs::path kernel = fs::relative(fs::absolute(fs::path(kernel_prefix), ec), folder, ec);
  return ec || kernel.empty() ? fs::absolute(fs::path(kernel_prefix)).string() : kernel.string();
}

std::string resolve_kernel(const std::string &model_path, const std::string &reference) {
  namespace fs = std::filesystem;
  fs::path prefix(reference);
  if (prefix.is_relative()) prefix = (fs::path(model_path).parent_path() / prefix).lexically_normal();
  return prefix.string();
}

bool is_model_file(const std::string &path) {
  for (const std::string suffix : {".safetensors", ".cpqz"})
    if (path.size() > suffix.size() && path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0) return true;
  return false;
}

bool Model::bind(const KernelArgument &a, const std::string &dtype, const std::vector<std::int64_t> &shape,
                 const void *bytes, std::size_t size, std::string &error) {
  if (!a.buffer || dtype != dtype_of(a.type) || shape != a.shape) {
    error = path_ + ": tensor '" + a.name + "' is " + dtype + " " + shape_text(shape) + ", its kernel " +
            kernel_prefix_ + " takes " + type_name(a.type) + " " + shape_text(a.shape);
    return false;
  }
  auto value = std::make_unique<HostTensor>(a.type, a.shape);
  std::memcpy(value->data<std::uint8_t>(), bytes, size);
  bound_[a.name] = value->buffer();
  values_.push_back(std::move(value));
  return true;
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
  const bool compressed = is_compressed_model(file.metadata);
  if (meta(mf::format_key) != mf::tag && meta(mf::format_key) != mf::tag_v2 && !compressed) {
    error = path + ": not a cpq packed or compressed model (its metadata has no " + mf::format_key + " \"" + mf::tag + "\" or \"" +
            compressed_format::tag + "\"; write one with cpq-compile --model or cpq-compress)";
    return nullptr;
  }
  CompressedModel coded;
  CompressionAccount account;
  if (compressed && !read_compressed_model(path, coded, &account, error)) return nullptr;
  std::unique_ptr<Model> m(new Model());
  m->path_ = path;
  const std::string kernel = meta(mf::kernel_key);
  if (kernel.empty()) {
    error = path + ": its metadata names no kernel (" + mf::kernel_key + ")";
    return nullptr;
  }
  m->kernel_prefix_ = resolve_kernel(path, kernel);
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
  if (compressed) return m->bind_compressed(coded, account, error) ? std::move(m) : nullptr;

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
    if (const std::string expand = meta(mf::rows_to_panels_prefix + a.name); !expand.empty()) {
      std::vector<std::uint8_t> panels;
      if (!m->rows_to_panels(*t, expand, meta(mf::elements_prefix + a.name), panels, error)) return nullptr;
      if (!m->bind(a, "U8", {std::int64_t(panels.size())}, panels.data(), panels.size(), error)) return nullptr;
      continue;
    }
    if (!m->bind(a, t->dtype, t->shape, t->data.data(), t->data.size(), error)) return nullptr;
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
    info.rows_to_panels = !meta(mf::rows_to_panels_prefix + t.name).empty();
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

/// The panel layout of weight `t`, stored as rows of grid `grid_text` with
/// `elements` weights; false with `error` naming the file and the tensor.
bool Model::rows_to_panels(const safetensors::Tensor &t, const std::string &grid_text, const std::string &elements,
                           std::vector<std::uint8_t> &panels, std::string &error) const {
  namespace mf = model_format;
  const std::string where = path_ + ": tensor '" + t.name + "': ";
  const std::optional<GridSpec> grid = grid_from_text(grid_text);
  if (!grid) return error = where + mf::rows_to_panels_prefix + t.name + " is '" + grid_text + "', not a grid and its bits (e.g. 'signed 3')", false;
  char *end = nullptr;
  const long long count = std::strtoll(elements.c_str(), &end, 10);
  if (elements.empty() || *end || t.dtype != "U8" || t.shape.size() != 2 || t.shape[0] < 1 || count < 1 ||
      count % t.shape[0] != 0 || t.shape[1] != reference::packed_row_bytes(count / t.shape[0], grid->bits))
    return error = where + "is not the rows layout of " + elements + " weights of " + grid_text +
                   " (U8 [outputs, row bytes] and " + mf::elements_prefix + t.name + " expected)", false;
  try {
    const PanelWeights p = panels_from_packed_rows(*grid, t.data.data(), t.shape[0], count / t.shape[0]);
    panels = p.bytes;
  } catch (const std::exception &e) {
    return error = where + "cannot be laid out as panels: " + e.what(), false;
  }
  return true;
}

/// A compressed model's parameters: coded ones decoded, the others as
/// stored; each an input of the kernel of its type and shape.
bool Model::bind_compressed(const CompressedModel &coded, const CompressionAccount &account, std::string &error) {
  compression_ = account;
  std::map<std::string, const CodedParameter *> by_name;
  for (const CodedParameter &p : coded.coded) by_name[p.name] = &p;
  std::map<std::string, const ModelFileTensor *> plain;
  for (const ModelFileTensor &t : coded.plain) plain[t.name] = &t;
  // Packed weights decoded to their layouts, and the level sums they name.
  std::map<std::string, PackedWeight> packed;
  std::map<std::string, std::vector<std::int32_t>> sums;
  for (const CodedParameter &p : coded.coded) {
    if (p.packing.empty()) continue;
    std::vector<std::int32_t> s;
    if (!decode_packed(p, packed[p.name], s, error)) return error = path_ + ": " + error, false;
    if (!p.level_sums.empty()) sums[p.level_sums] = std::move(s);
  }
  for (const KernelArgument &a : kernel_->arguments()) {
    if (a.output || a.role != "param") continue;
    if (auto c = by_name.find(a.name); c != by_name.end()) {
      if (auto w = packed.find(a.name); w != packed.end()) {
        if (!bind(a, "U8", w->second.byte_shape, w->second.bytes.data(), w->second.bytes.size(), error)) return false;
      } else {
        const std::vector<float> values = decode_values(coded, *c->second);
        if (!bind(a, "F32", c->second->shape, values.data(), values.size() * sizeof(float), error)) return false;
      }
      const CodedParameter &p = *c->second;
      ModelTensorInfo info;
      info.name = p.name, info.dtype = "coded", info.shape = p.shape, info.elements = p.elements();
      info.bytes = std::int64_t((p.index_bits + p.gap_bits + 7) / 8);
      std::size_t k = 0;
      for (const Codebook &b : coded.codebooks)
        if (b.name == p.codebook) k = b.centres.size();
      info.layout = "codebook '" + p.codebook + "' of " + std::to_string(k) + " values" +
                    (p.scale.empty() ? std::string() : " times '" + p.scale + "'") +
                    (p.packing.empty() ? std::string() : ", decoded to the " + p.packing + " layout") + ", " +
                    std::to_string(p.indices.size()) + " of " + std::to_string(p.elements()) + " kept";
      info_.push_back(std::move(info));
    } else if (auto l = sums.find(a.name); l != sums.end()) {
      const std::vector<std::int64_t> shape = {std::int64_t(l->second.size())};
      if (!bind(a, "I32", shape, l->second.data(), l->second.size() * sizeof(std::int32_t), error)) return false;
      ModelTensorInfo info;
      info.name = a.name, info.dtype = "I32", info.shape = shape, info.elements = shape[0];
      info.layout = "level sums, made from the decoded weight";
      info_.push_back(std::move(info));
    } else if (auto t = plain.find(a.name); t != plain.end()) {
      if (!bind(a, t->second->dtype, t->second->shape, t->second->bytes.data(), t->second->bytes.size(), error))
        return false;
      ModelTensorInfo info;
      info.name = a.name, info.dtype = t->second->dtype, info.shape = t->second->shape;
      info.bytes = std::int64_t(t->second->bytes.size()), info.elements = t->second->elements;
      info_.push_back(std::move(info));
    } else {
      error = path_ + ": has no parameter '" + a.name + "', an input of its kernel " + kernel_prefix_ +
              " (a model file and kernel of different networks?)";
      return false;
    }
  }
  for (const auto &[name, p] : by_name)
    if (!bound_.count(name))
      return error = path_ + ": coded parameter '" + name + "' is not an input of its kernel " + kernel_prefix_, false;
  for (const auto &[name, s] : sums)
    if (!bound_.count(name))
      return error = path_ + ": level sums '" + name + "' are not an input of its kernel " + kernel_prefix_, false;
  for (const auto &[name, t] : plain)
    if (!bound_.count(name))
      return error = path_ + ": tensor '" + name + "' is not an input of its kernel " + kernel_prefix_, false;
  return true;
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
