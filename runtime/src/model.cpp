//===- model.cpp - model files: a kernel and its parameters -----------------===//
#include "cpq/runtime/model.h"

#include "cpq/kernels/packed_reference.h"
#include "cpq/kernels/qgemm.h"
#include "cpq/runtime/safetensors.h"
#include "cpq/runtime/sha256.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
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

bool kernel_digest(const std::string &kernel_prefix, std::string &digest, std::string &error) {
  const std::string so = kernel_prefix + ".so";
  std::ifstream in(so, std::ios::binary);
  if (!in) return error = so + ": cannot open the kernel to pin its SHA-256", false;
  Sha256 hash;
  char chunk[1 << 16];
  while (in.read(chunk, sizeof chunk) || in.gcount() > 0) hash.update(chunk, std::size_t(in.gcount()));
  if (in.bad()) return error = so + ": cannot read the kernel to pin its SHA-256", false;
  digest = hash.hex();
  return true;
}

bool write_model_file(const std::string &path, const std::string &kernel_prefix, const std::string &function,
                      const std::vector<ModelFileTensor> &tensors, std::string &error, bool pin_kernel) {
  namespace mf = model_format;
  if (tensors.empty()) return error = path + ": not written: a model file needs at least one tensor", false;
  safetensors::File file;
  file.metadata[mf::format_key] = mf::tag;
  file.metadata[mf::kernel_key] = kernel_reference(path, kernel_prefix);
  file.metadata[mf::function_key] = function;
  if (pin_kernel && !kernel_digest(kernel_prefix, file.metadata[mf::kernel_sha256_key], error)) return false;
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

namespace {

/// Whether a model file's kernel reference is allowed by `o`: by default a
/// relative path without "..", so the kernel lies in the model's folder.
bool kernel_reference_allowed(const std::string &path, const std::string &reference, const ModelLoadOptions &o,
                              std::string &error) {
  namespace fs = std::filesystem;
  const std::string hint = " (a model file loads only a kernel in its own folder; cpq-run --any-kernel-path, "
                           "ModelLoadOptions::any_kernel_path or cpq_model_load_options' CPQ_MODEL_ANY_KERNEL_PATH "
                           "allow others)";
  if (reference.find('\0') != std::string::npos)
    return error = path + ": its kernel reference holds a NUL byte", false;
  if (o.any_kernel_path) return true;
  const fs::path p(reference);
  if (p.is_absolute()) return error = path + ": its kernel '" + reference + "' is an absolute path" + hint, false;
  for (const fs::path &part : p)
    if (part == "..") return error = path + ": its kernel '" + reference + "' leaves the model's folder" + hint, false;
  return true;
}

/// The panel layout of weight `t`, stored as rows of grid `grid_text` with
/// `elements` weights; false with `error` naming the file and the tensor.
bool rows_to_panels(const std::string &path, const safetensors::Tensor &t, const std::string &grid_text,
                    const std::string &elements, std::vector<std::uint8_t> &panels, std::string &error) {
  namespace mf = model_format;
  const std::string where = path + ": tensor '" + t.name + "': ";
  const std::optional<GridSpec> grid = grid_from_text(grid_text);
  if (!grid) return error = where + mf::rows_to_panels_prefix + t.name + " is '" + grid_text + "', not a grid and its bits (e.g. 'signed 3')", false;
  char *end = nullptr;
  errno = 0;
  const long long count = std::strtoll(elements.c_str(), &end, 10);
  if (elements.empty() || *end || errno == ERANGE || t.dtype != "U8" || t.shape.size() != 2 || t.shape[0] < 1 ||
      count < 1 || count % t.shape[0] != 0 || t.shape[1] != reference::packed_row_bytes(count / t.shape[0], grid->bits))
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

} // namespace

bool check_model_file(const std::string &path, const safetensors::File &file, const ModelLoadOptions &options,
                      ModelFileCheck &out, std::string &error) {
  namespace mf = model_format;
  auto meta = [&](const std::string &key) {
    auto it = file.metadata.find(key);
    return it == file.metadata.end() ? std::string() : it->second;
  };
  out = ModelFileCheck{};
  out.compressed = is_compressed_model(file.metadata);
  if (meta(mf::format_key) != mf::tag && meta(mf::format_key) != mf::tag_v2 && !out.compressed)
    return error = path + ": not a cpq packed or compressed model (its metadata has no " + mf::format_key + " \"" + mf::tag + "\" or \"" +
                   compressed_format::tag + "\"; write one with cpq-compile --model or cpq-compress)", false;
  const std::string kernel = meta(mf::kernel_key);
  if (kernel.empty()) return error = path + ": its metadata names no kernel (" + mf::kernel_key + ")", false;
  if (!kernel_reference_allowed(path, kernel, options, error)) return false;
  out.kernel_prefix = resolve_kernel(path, kernel);
  out.function = meta(mf::function_key);
  out.kernel_sha256 = meta(mf::kernel_sha256_key);
  if (!out.kernel_sha256.empty() && !is_sha256_hex(out.kernel_sha256))
    return error = path + ": " + mf::kernel_sha256_key + " is '" + out.kernel_sha256 + "', not 64 lowercase hex digits", false;
  if (out.kernel_sha256.empty() && options.require_pinned_kernel)
    return error = path + ": does not pin its kernel's SHA-256 (" + mf::kernel_sha256_key + "), which this load "
                   "requires (write it with cpq-compile --model ... --pin-kernel or cpq-compress --pin-kernel)", false;
  if (out.compressed) return read_compressed_model(path, file, out.coded, &out.account, error);

  for (const safetensors::Tensor &t : file.tensors) {
    ModelTensorInfo info;
    info.name = t.name, info.dtype = t.dtype, info.shape = t.shape, info.layout = meta(mf::layout_prefix + t.name);
    info.bytes = std::int64_t(t.data.size());
    info.elements = t.elements();
    if (const std::string expand = meta(mf::rows_to_panels_prefix + t.name); !expand.empty()) {
      info.rows_to_panels = true;
      if (!rows_to_panels(path, t, expand, meta(mf::elements_prefix + t.name), out.panels[t.name], error)) return false;
    }
    if (const std::string kind = meta(mf::weight_layout_prefix + t.name); !kind.empty()) {
      info.weight_layout = weight_layout_named(kind);
      if (!info.weight_layout)
        return error = path + ": " + mf::weight_layout_prefix + t.name + " is '" + kind + "', not rows, panels or bit_rows", false;
    }
    const std::string elements = meta(mf::elements_prefix + t.name);
    if (!elements.empty()) {
      char *end = nullptr;
      errno = 0;
      const long long n = std::strtoll(elements.c_str(), &end, 10);
      if (*end || n < 0 || errno == ERANGE)
        return error = path + ": " + mf::elements_prefix + t.name + " is not a count: '" + elements + "'", false;
      info.elements = n;
    }
    out.tensors.push_back(std::move(info));
  }
  return true;
}

std::unique_ptr<Model> Model::load(const std::string &path, std::string &error, const ModelLoadOptions &options) {
  namespace fs = std::filesystem;
  safetensors::File file;
  if (!safetensors::read(path, file, error)) return nullptr;
  ModelFileCheck check;
  if (!check_model_file(path, file, options, check, error)) return nullptr;
  std::unique_ptr<Model> m(new Model());
  m->path_ = path;
  m->kernel_prefix_ = check.kernel_prefix;
  // The kernel must exist, and (unless allowed elsewhere) lie in the model's
  // folder also after symbolic links are followed.
  std::error_code ec;
  const std::string so = check.kernel_prefix + ".so";
  if (!fs::exists(so, ec)) {
    error = path + ": its kernel " + so + " is missing (cpq-compile -o PREFIX writes PREFIX.so and PREFIX.json)";
    return nullptr;
  }
  if (!options.any_kernel_path) {
    const fs::path folder = fs::canonical(fs::absolute(fs::path(path)).parent_path(), ec);
    for (const std::string &f : {so, check.kernel_prefix + ".json"}) {
      const fs::path real = fs::weakly_canonical(fs::absolute(f), ec);
      const auto rel = real.lexically_relative(folder);
      if (ec || rel.empty() || *rel.begin() == "..") {
        error = path + ": its kernel file " + f + " resolves to " + real.string() + ", outside the model's folder " +
                folder.string() + " (a symbolic link?); not loaded";
        return nullptr;
      }
    }
  }
  KernelLoadOptions k;
  k.sha256 = check.kernel_sha256;
  k.function = check.function;
  m->kernel_ = Kernel::load(m->kernel_prefix_, error, k);
  if (!m->kernel_) {
    error = path + ": its kernel: " + error;
    return nullptr;
  }
  m->file_bytes_ = std::int64_t(fs::file_size(path, ec));
  std::int64_t data_bytes = 0;
  for (const auto &t : file.tensors) data_bytes += std::int64_t(t.data.size());
  m->header_bytes_ = m->file_bytes_ - data_bytes;
  if (check.compressed) return m->bind_compressed(check.coded, check.account, error) ? std::move(m) : nullptr;

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
    if (auto p = check.panels.find(a.name); p != check.panels.end()) {
      if (!m->bind(a, "U8", {std::int64_t(p->second.size())}, p->second.data(), p->second.size(), error)) return nullptr;
      continue;
    }
    if (!m->bind(a, t->dtype, t->shape, t->data.data(), t->data.size(), error)) return nullptr;
  }
  for (const safetensors::Tensor &t : file.tensors)
    if (!m->bound_.count(t.name)) {
      error = path + ": tensor '" + t.name + "' is not an input of its kernel " + m->kernel_prefix_;
      return nullptr;
    }
  m->info_ = std::move(check.tensors);
  return m;
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
        // The kernel's shape first: a damaged file's shape must not size the decoding.
        if (c->second->shape != a.shape)
          return error = path_ + ": coded parameter '" + a.name + "' has shape " + shape_text(c->second->shape) +
                         ", its kernel " + kernel_prefix_ + " takes " + shape_text(a.shape),
                 false;
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
