//===- write.cpp - the compressed model of a compression's current values ---===//
//
// The last part of compress_run: the kernel that runs the model (the
// network with its parameters as inputs, or for --method grid --grid-kernel
// packed the frozen integer network), the coded parameters, the file
// written, loaded back through cpq::runtime::Model and evaluated.
//
//===----------------------------------------------------------------------===//
#include "compress/context.h"

#include "codegen/aot.h"
#include "cpq/kernels/qgemm.h"
#include "cpq/runtime/batches.h"
#include "cpq/runtime/model.h"
#include "cpq/runtime/roles.h"
#include "cpq/runtime/safetensors.h"
#include "cpq/runtime/tensor.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <set>

namespace cpq::compress {

namespace fs = std::filesystem;
using runtime::KernelArgument;

namespace {

/// Accuracy of `model` on the test set.
bool evaluate(Context &c, const runtime::Model &model, double &accuracy) {
  const KernelArgument *in = nullptr, *out = nullptr;
  for (const KernelArgument &a : model.kernel().arguments()) {
    if (a.output) out = &a;
    else if (a.role == runtime::roles::input) in = &a;
  }
  if (!in || !out) return c.fail(model.path() + ": its kernel is not a network from images to logits");
  std::vector<std::uint32_t> order(std::size_t(c.test.count));
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = std::uint32_t(i);
  std::int64_t right = 0;
  const std::int64_t batch = 1000;
  for (std::int64_t first = 0; first < c.test.count; first += batch) {
    const std::int64_t n = std::min(batch, c.test.count - first);
    runtime::HostTensor images(*in, n), logits(*out, n);
    std::vector<std::int32_t> labels(static_cast<std::size_t>(n));
    if (!runtime::fill_batch(c.test, order, std::size_t(first), std::size_t(n), runtime::Normalisation{0.0f, 1.0f},
                             images.data<float>(), labels.data(), c.error))
      return false;
    if (!model.call({{in->name, images.buffer()}, {out->name, logits.buffer()}}, c.error)) return false;
    const std::int64_t classes = out->shape.back();
    for (std::int64_t r = 0; r < n; ++r) {
      const float *row = logits.data<float>() + r * classes;
      right += std::int64_t(std::max_element(row, row + classes) - row) == labels[std::size_t(r)];
    }
  }
  accuracy = double(right) / double(c.test.count);
  return true;
}

/// --method grid on the packed kernel: the network frozen with the current
/// values (cpq-inference-pipeline) and compiled with a packed model file;
/// each packed weight of that file becomes a coded parameter (its levels'
/// codes, decoded at load time to the same bytes, which is checked here),
/// its level sums are made by the decoder, the rest is stored as it is.
bool packed_grid_model(Context &c, const std::vector<runtime::Codebook> &books, const std::string &kernel,
                       runtime::CompressedModel &m) {
  const std::string current = c.work + "/current.safetensors", packed = c.work + "/packed.safetensors";
  fs::create_directories(c.work);
  if (!write_current(c, current)) return false;
  c.note("freezing and compiling the packed integer network: " + kernel);
  codegen::AotOptions a;
  a.input = c.o.run + "/network.mlir", a.function = "inference", a.output = kernel, a.targets = {c.o.target};
  a.pipeline = "cpq-inference-pipeline{params=" + current + "}", a.model = packed;
  if (!codegen::compile_aot(a, c.error)) return false;
  safetensors::File file;
  if (!safetensors::read(packed, file, c.error)) return false;
  m = runtime::CompressedModel{};
  m.kernel_prefix = kernel, m.function = file.metadata[runtime::model_format::function_key];
  m.codebooks = books;
  m.pin_kernel = c.o.pin_kernel;
  std::set<std::string> derived, matched;
  for (const Coded &p : c.coded) {
    const codegen::PreparedNetwork::Quantizer &q = c.network.quantizers.at(p.name);
    for (const char *suffix : {".panels", ".packed", ".bits"}) {
      const std::string name = runtime::c_identifier(p.name + suffix);
      const safetensors::Tensor *t = file.find(name);
      std::string layout = file.metadata[runtime::model_format::weight_layout_prefix + name];
      if (!t || layout.empty()) continue;
      // Weights the packed file stores as rows for a kernel that reads
      // panels (3, 5, 6, 7 bits) are decoded straight to panels.
      std::vector<std::uint8_t> expected = t->data;
      if (file.metadata.count(runtime::model_format::rows_to_panels_prefix + name)) {
        layout = to_string(WeightLayout::Panels);
        expected = panels_from_packed_rows(q.grid, t->data.data(), t->shape.at(0), std::int64_t(p.values.size()) / t->shape.at(0)).bytes;
      }
      runtime::CodedParameter cp;
      cp.name = name, cp.shape = p.shape, cp.codebook = p.codebook, cp.indices = p.cluster;
      cp.packing = layout, cp.grid = q.grid;
      cp.dense = std::all_of(p.keep.begin(), p.keep.end(), [](std::uint8_t k) { return k != 0; });
      if (!cp.dense)
        for (std::uint32_t i = 0; i < p.keep.size(); ++i)
          if (p.keep[i]) cp.positions.push_back(i);
      const std::string sums_name = runtime::c_identifier(p.name + ".level_sums");
      const safetensors::Tensor *sums_tensor = file.find(sums_name);
      if (sums_tensor) cp.level_sums = sums_name, derived.insert(sums_name);
      // The decoder must give back the compiler's bytes exactly.
      PackedWeight w;
      std::vector<std::int32_t> sums;
      if (!runtime::decode_packed(cp, w, sums, c.error)) return false;
      if (w.bytes != expected ||
          (sums_tensor && (sums_tensor->data.size() != 4 * sums.size() ||
                           std::memcmp(sums.data(), sums_tensor->data.data(), sums_tensor->data.size()) != 0)))
        return c.fail(kernel + ": the packed bytes of '" + p.name + "' decoded from their codes differ from the "
                      "compiler's (a bug: please report it)");
      m.coded.push_back(std::move(cp));
      matched.insert(name);
    }
    if (!matched.count(runtime::c_identifier(p.name + ".panels")) && !matched.count(runtime::c_identifier(p.name + ".packed")) &&
        !matched.count(runtime::c_identifier(p.name + ".bits")))
      return c.fail(kernel + ": the frozen network has no packed weight of '" + p.name + "'");
  }
  for (const safetensors::Tensor &t : file.tensors) {
    if (matched.count(t.name) || derived.count(t.name)) continue;
    runtime::ModelFileTensor plain;
    plain.name = t.name, plain.dtype = t.dtype, plain.shape = t.shape, plain.elements = t.elements(), plain.bytes = t.data;
    m.plain.push_back(std::move(plain));
  }
  return true;
}

} // namespace

std::string c_name_of(const Context &c, const std::string &tensor) {
  for (const KernelArgument &a : c.step->arguments())
    if (!a.output && a.tensor == tensor) return a.name;
  return "";
}

bool write_current(Context &c, const std::string &path) {
  safetensors::File f;
  for (const Coded &p : c.coded) f.tensors.push_back(safetensors::make_f32(p.name, p.shape, p.values));
  for (const auto &[name, v] : c.others) f.tensors.push_back(safetensors::make_f32(name, c.network.shapes.at(name), v));
  return safetensors::write(path, f, c.error);
}

bool write_and_evaluate(Context &c, const std::vector<runtime::Codebook> &books, Result &result) {
  const std::string stem = c.o.output.substr(0, c.o.output.size() - fs::path(c.o.output).extension().string().size());
  const std::string kernel = stem + "_kernel";
  runtime::CompressedModel m;
  if (c.o.method == "grid" && c.o.grid_kernel == "packed") {
    if (!packed_grid_model(c, books, kernel, m)) return false;
  } else {
  if (!c.kernel_compiled) {
    c.note("compiling the network with its parameters as inputs: " + kernel);
    codegen::AotOptions a;
    a.input = c.o.run + "/network.mlir", a.function = c.network.name, a.output = kernel, a.targets = {c.o.target};
    a.lowering.parameters_as_inputs = true; // also those with values in the text (a CPQ run's alphas)
    if (!codegen::compile_aot(a, c.error)) return false;
    c.kernel_compiled = true;
  }
  m.kernel_prefix = kernel, m.function = runtime::c_identifier(fs::path(kernel).filename().string());
  m.codebooks = books;
  m.pin_kernel = c.o.pin_kernel;
  for (const Coded &p : c.coded) {
    runtime::CodedParameter q;
    q.name = p.c_name, q.shape = p.shape, q.codebook = p.codebook, q.indices = p.cluster;
    if (!p.scale.empty()) q.scale = c_name_of(c, p.scale);
    q.dense = std::all_of(p.keep.begin(), p.keep.end(), [](std::uint8_t k) { return k != 0; });
    if (!q.dense)
      for (std::uint32_t i = 0; i < p.keep.size(); ++i)
        if (p.keep[i]) q.positions.push_back(i);
    m.coded.push_back(std::move(q));
  }
  for (const auto &[name, v] : c.others) {
    runtime::ModelFileTensor t;
    for (const KernelArgument &a : c.step->arguments())
      if (!a.output && a.tensor == name) t.name = a.name;
    t.dtype = "F32", t.shape = c.network.shapes.at(name), t.elements = std::int64_t(v.size());
    t.bytes.resize(v.size() * 4);
    std::memcpy(t.bytes.data(), v.data(), t.bytes.size());
    m.plain.push_back(std::move(t));
  }
  }
  if (!runtime::write_compressed_model(c.o.output, m, &result.account, c.error)) return false;
  auto model = runtime::Model::load(c.o.output, c.error);
  if (!model) return false;
  if (!evaluate(c, *model, result.test_accuracy)) return false;
  result.ratio = result.account.ratio();
  result.bits_per_weight = result.account.bits_per_coded_value();
  result.sparsity = result.account.coded ? 1.0 - double(result.account.kept) / double(result.account.coded) : 0;
  result.file_bytes = model->file_bytes();
  result.file_ratio = result.file_bytes ? 4.0 * double(result.account.parameters) / double(result.file_bytes) : 0;
  return true;
}

} // namespace cpq::compress
