//===- compress.cpp - a trained run compressed to the limit -----------------===//
#include "compress/compress.h"

#include "codegen/aot.h"
#include "codegen/network.h"
#include "compress/quantizers.h"
#include "cpq/kernels/quantizer_reference.h"
#include "cpq/runtime/batches.h"
#include "cpq/runtime/idx.h"
#include "cpq/runtime/kernel.h"
#include "cpq/runtime/model.h"
#include "cpq/runtime/roles.h"
#include "cpq/runtime/safetensors.h"
#include "cpq/runtime/tensor.h"
#include "cpq/runtime/trainer.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <memory>
#include <sstream>

namespace cpq::compress {

namespace fs = std::filesystem;
using runtime::KernelArgument;

namespace {

/// A parameter compression codes: a layer's weight (prunable) or bias.
struct Coded {
  std::string name, c_name;
  std::vector<std::int64_t> shape;
  bool weight = false;
  std::vector<float> values, importance;
  std::vector<std::uint8_t> keep; ///< per value; all 1 unless pruned
  std::vector<std::uint32_t> cluster; ///< per kept value (in position order)
  std::string codebook;
  std::string scale; ///< --method grid: the alpha parameter scaling the centres
};

struct Context {
  explicit Context(const Options &options) : o(options) {}
  const Options &o;
  std::string error;
  codegen::PreparedNetwork network;
  std::unique_ptr<runtime::Kernel> step, eval;
  idx::LabelledImages train, test;
  std::vector<Coded> coded;
  std::map<std::string, std::vector<float>> others; ///< parameters stored as they are
  std::string work;
  bool kernel_compiled = false;
  void note(const std::string &m) const {
    if (o.note) o.note(m);
  }
  bool fail(const std::string &m) { return error = m, false; }
};

bool load_data(Context &c, const std::string &split, int limit, idx::LabelledImages &d) {
  const std::string dir = c.o.data.empty() ? idx::kFashionMnistDir : c.o.data;
  if (!idx::read_labelled(idx::split_file(dir, split + "-images-idx3-ubyte"), idx::split_file(dir, split + "-labels-idx1-ubyte"),
                          10, d, c.error))
    return false;
  if (limit > 0 && limit < d.count) {
    d.count = limit;
    d.images.resize(std::size_t(limit * d.rows * d.cols));
    d.labels.resize(std::size_t(limit));
  }
  return true;
}

/// The run's network, its training kernels, parameters and importances.
bool load_run(Context &c) {
  const std::string net = c.o.run + "/network.mlir", params = c.o.run + "/params.safetensors";
  for (const std::string &f : {net, params})
    if (!fs::exists(f)) return c.fail(f + ": not found (the run folder must be one cpq-train wrote)");
  if (!codegen::prepare_network(net, codegen::NetworkOptions{}, c.network, c.error)) return false;
  const bool grid = c.o.method == "grid";
  if (!grid)
    for (const auto &[name, use] : c.network.uses)
      if (c.network.quantized.count(name))
        return c.fail(net + ": '" + name + "' is quantized by CPQ in this network; --method " + c.o.method +
                      " codes the float parameters of a float run (train one with --bits FP32), --method grid "
                      "codes a CPQ run's weights on their own grids");
  if (grid && c.network.quantizers.empty())
    return c.fail(net + ": no weight is quantized by CPQ in this network; --method grid codes a CPQ run's weights on "
                        "their grids (a float run takes kmeans, hkmeans, uniform or ecsq)");
  for (const auto &[name, q] : grid ? c.network.quantizers : decltype(c.network.quantizers){}) {
    if (q.gated)
      return c.fail(net + ": '" + name + "' has learned bit-width gates; fix its bits first (cpq-opt "
                          "--cpq-bind-params=... --cpq-assign-bitwidths) and fine-tune at them");
    if (q.alpha.empty() || !c.network.shapes.count(q.alpha) || (q.axis != -1 && q.axis != 0))
      return c.fail(net + ": the quantizer of '" + name + "' has no alpha parameter of one value or one per output "
                          "channel (axis 0)");
  }
  std::string folder;
  if (!codegen::compiled_kernels(c.network, c.o.cache.empty() ? codegen::default_cache() : c.o.cache, c.o.target,
                                 c.o.note, folder, c.error))
    return false;
  c.step = runtime::Kernel::load(folder + "/train_step", c.error);
  if (!c.step) return false;
  c.eval = runtime::Kernel::load(folder + "/eval_step", c.error);
  if (!c.eval) return false;
  safetensors::File file;
  if (!safetensors::read(params, file, c.error)) return false;
  for (const auto &[name, use] : c.network.uses) {
    const safetensors::Tensor *t = file.find(name);
    if (!t || t->dtype != "F32" || t->shape != c.network.shapes.at(name))
      return c.fail(params + ": has no F32 '" + name + "' of the network's shape");
    if (use == "other" || (grid && !c.network.quantizers.count(name))) {
      c.others[name] = t->as_f32();
      continue;
    }
    Coded p;
    p.name = name, p.shape = t->shape, p.weight = use == "weight", p.values = t->as_f32();
    p.keep.assign(p.values.size(), 1);
    for (const KernelArgument &a : c.step->arguments())
      if (!a.output && a.role == runtime::roles::param && a.tensor == name) p.c_name = a.name;
    if (p.c_name.empty()) return c.fail(net + ": '" + name + "' is no parameter of its train_step kernel");
    c.coded.push_back(std::move(p));
  }
  if (c.coded.empty()) return c.fail(net + ": has no convolution or dense layer to compress");
  return true;
}

/// The square roots of Adam's second moments of each coded parameter, from
/// `checkpoint` (a train_step checkpoint of this network).
bool adam_importance(Context &c, const std::string &checkpoint) {
  safetensors::File file;
  if (!safetensors::read(checkpoint, file, c.error)) return false;
  for (Coded &p : c.coded) {
    const std::string state = p.name + runtime::state_suffix::adam_second_moment;
    const KernelArgument *arg = nullptr;
    for (const KernelArgument &a : c.step->arguments())
      if (!a.output && a.role == runtime::roles::state && a.tensor == state) arg = &a;
    const safetensors::Tensor *t = arg ? file.find(arg->name) : nullptr;
    if (!t || t->elements() != std::int64_t(p.values.size()))
      return c.fail(checkpoint + ": has no Adam second moment of '" + p.name +
                    "' (a run trained with Adam holds them; or use --hessian none)");
    p.importance = t->as_f32();
    for (float &v : p.importance) v = std::sqrt(std::max(v, 0.0f));
  }
  return true;
}

/// The diagonal of the loss's Hessian in each coded parameter at its current
/// values (the generated hessian_diag, Becker and LeCun's recursion),
/// averaged over the training images.
bool diag_importance(Context &c) {
  std::string prefix;
  if (!codegen::compiled_hessian(c.network, c.o.cache.empty() ? codegen::default_cache() : c.o.cache, c.o.target,
                                 c.o.note, prefix, c.error))
    return false;
  auto kernel = runtime::Kernel::load(prefix, c.error);
  if (!kernel) return false;
  const std::int64_t batch = 500;
  std::map<std::string, std::unique_ptr<runtime::HostTensor>> fixed; // parameters, by C name
  std::map<std::string, std::vector<double>> sums;                   // Hessians, by network name
  const KernelArgument *input = nullptr, *labels = nullptr;
  for (const KernelArgument &a : kernel->arguments()) {
    if (a.output || a.role != runtime::roles::param) continue;
    auto t = std::make_unique<runtime::HostTensor>(a, 1);
    const std::vector<float> *values = nullptr;
    for (const Coded &p : c.coded)
      if (p.name == a.tensor) values = &p.values;
    if (!values && c.others.count(a.tensor)) values = &c.others.at(a.tensor);
    if (!values || values->size() != t->count()) return c.fail(prefix + ": parameter '" + a.tensor + "' is not the run's");
    t->assign_floats(*values);
    fixed[a.name] = std::move(t);
  }
  for (const KernelArgument &a : kernel->arguments())
    if (!a.output && a.role == runtime::roles::input) input = &a;
    else if (!a.output && a.role == runtime::roles::labels) labels = &a;
  if (!input || !labels) return c.fail(prefix + ": hessian_diag takes no images and labels");
  std::vector<std::uint32_t> order(std::size_t(c.train.count));
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = std::uint32_t(i);
  const auto t0 = std::chrono::steady_clock::now();
  int reported = 0;
  for (std::int64_t first = 0; first < c.train.count; first += batch) {
    const std::int64_t n = std::min(batch, c.train.count - first);
    runtime::HostTensor images(*input, n), label_values(*labels, n);
    if (!runtime::fill_batch(c.train, order, std::size_t(first), std::size_t(n), runtime::Normalisation{0.0f, 1.0f},
                             images.data<float>(), label_values.data<std::int32_t>(), c.error))
      return false;
    std::map<std::string, halide_buffer_t *> buffers = {{input->name, images.buffer()},
                                                        {labels->name, label_values.buffer()}};
    for (auto &[name, t] : fixed) buffers[name] = t->buffer();
    std::vector<std::pair<const KernelArgument *, std::unique_ptr<runtime::HostTensor>>> outs;
    for (const KernelArgument &a : kernel->arguments())
      if (a.output) {
        outs.emplace_back(&a, std::make_unique<runtime::HostTensor>(a, n));
        buffers[a.name] = outs.back().second->buffer();
      }
    if (!kernel->call(buffers, {}, c.error)) return c.fail(prefix + ": " + c.error);
    // Each call gives the Hessian of its batch's mean loss: weighted by the
    // batch's images, the sum over batches is that of the mean over all.
    for (auto &[a, t] : outs) {
      if (a->role != runtime::roles::hessian) continue;
      const std::string name = a->tensor.substr(0, a->tensor.size() - std::strlen(runtime::hessian_suffix));
      auto &sum = sums[name];
      sum.resize(t->count(), 0.0);
      const float *h = t->data<float>();
      for (std::size_t i = 0; i < t->count(); ++i) sum[i] += double(h[i]) * double(n) / double(c.train.count);
    }
    const int percent = int(100 * (first + n) / c.train.count);
    if (c.o.progress && percent / 25 > reported) {
      reported = percent / 25;
      c.note("Hessian diagonal: " + std::to_string(first + n) + " of " + std::to_string(c.train.count) + " images (" +
             std::to_string(int(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count())) + " s)");
    }
  }
  for (Coded &p : c.coded) {
    auto it = sums.find(p.name);
    if (it == sums.end() || it->second.size() != p.values.size())
      return c.fail(prefix + ": hessian_diag gives no diagonal for '" + p.name + "'");
    p.importance.assign(it->second.begin(), it->second.end());
  }
  return true;
}

/// Trains `epochs` from the current values, holding them to `project`;
/// the values after it, and its checkpoint's path.
bool fine_tune(Context &c, const std::string &phase,
               const std::function<void(const runtime::TrainerOptions::Parameters &)> &project, std::string &checkpoint) {
  const std::string folder = c.work + "/" + phase;
  safetensors::File start;
  for (const Coded &p : c.coded) start.tensors.push_back(safetensors::make_f32(p.name, p.shape, p.values));
  for (const auto &[name, v] : c.others) start.tensors.push_back(safetensors::make_f32(name, c.network.shapes.at(name), v));
  fs::create_directories(folder);
  if (!safetensors::write(folder + "/start.safetensors", start, c.error)) return false;
  runtime::TrainerOptions t;
  t.run_folder = folder, t.epochs = c.o.fine_tune_epochs, t.batch = c.o.batch, t.learning_rate = c.o.fine_tune_lr;
  t.seed = c.o.seed, t.overwrite = true, t.init_from = folder + "/start.safetensors";
  t.configuration = "cpq-compress " + phase;
  t.network = c.network.name + " (" + phase + ")", t.network_function = c.network.name;
  t.progress = c.o.progress, t.note = c.o.note, t.project = project;
  runtime::TrainingResult r;
  if (!runtime::Trainer(*c.step, *c.eval, t).run(c.train, c.test, r, c.error)) return false;
  safetensors::File after;
  if (!safetensors::read(folder + "/params.safetensors", after, c.error)) return false;
  for (Coded &p : c.coded) p.values = after.find(p.name)->as_f32();
  for (auto &[name, v] : c.others) v = after.find(name)->as_f32();
  checkpoint = folder + "/checkpoint.safetensors";
  c.note(phase + ": test accuracy " + std::to_string(100 * r.test_accuracy) + "% after " +
         std::to_string(c.o.fine_tune_epochs) + " epochs");
  return true;
}

/// Global magnitude pruning of the weights to the sparsity.
/// Prunes the `fraction` of the weights smallest in magnitude, one
/// threshold over the network, reading the current values through `value`
/// (the trainer's views during gradual pruning) and zeroing what it prunes;
/// pruned weights stay pruned (they are zero, the smallest magnitude).
void prune_to(Context &c, double fraction, const std::function<float *(Coded &)> &values) {
  std::vector<float> magnitudes;
  for (Coded &p : c.coded)
    if (p.weight) {
      const float *v = values(p);
      for (std::size_t i = 0; i < p.keep.size(); ++i) magnitudes.push_back(p.keep[i] ? std::fabs(v[i]) : -1.0f);
    }
  const std::size_t cut = std::size_t(fraction * double(magnitudes.size()));
  if (cut == 0) return;
  std::vector<float> sorted = magnitudes;
  std::nth_element(sorted.begin(), sorted.begin() + long(cut - 1), sorted.end());
  const float threshold = sorted[cut - 1];
  std::size_t below = 0; // strictly below the threshold: all pruned; ties in order
  for (float m : magnitudes) below += m < threshold;
  std::size_t ties = cut - below;
  for (Coded &p : c.coded) {
    if (!p.weight) continue;
    float *v = values(p);
    for (std::size_t i = 0; i < p.keep.size(); ++i) {
      const float m = p.keep[i] ? std::fabs(v[i]) : -1.0f;
      if (m < threshold || (m == threshold && ties > 0 && ties--)) p.keep[i] = 0, v[i] = 0;
    }
  }
}

/// The sparsity of gradual pruning after `step` of `total` fine-tuning
/// steps: Zhu and Gupta's cubic ramp from 0 to `target`, reached at half of
/// the fine-tuning so that the second half recovers at the final sparsity.
double gradual_sparsity(double target, std::int64_t step, std::int64_t total) {
  const double ramp = std::max<double>(1.0, 0.5 * double(total));
  const double t = std::min(1.0, double(step) / ramp);
  return target * (1.0 - (1.0 - t) * (1.0 - t) * (1.0 - t));
}

/// The quantizer of the options over `w` with importance `h`.
Quantized quantize(const Context &c, const std::vector<float> &w, const std::vector<float> &h) {
  const Options &o = c.o;
  if (o.method == "kmeans" || o.method == "hkmeans") {
    KMeansOptions k;
    k.clusters = o.clusters, k.seed = o.seed;
    return kmeans(w, o.method == "hkmeans" ? h : std::vector<float>{}, k);
  }
  if (o.method == "uniform") {
    if (o.rate > 0) return uniform_for_rate(w, h, o.rate);
    float lo = w[0], hi = w[0];
    for (float v : w) lo = std::min(lo, v), hi = std::max(hi, v);
    return uniform(w, h, std::max(double(hi) - double(lo), 1e-12) / std::max(1, o.clusters - 1));
  }
  return ecsq_for_rate(w, h, o.rate, [&](double lambda, double entropy) {
           c.note("ECSQ lambda " + std::to_string(lambda) + ": " + std::to_string(entropy) + " bits");
         }).q;
}

/// The C name of the kernel parameter `tensor`, or "".
std::string c_name_of(const Context &c, const std::string &tensor) {
  for (const KernelArgument &a : c.step->arguments())
    if (!a.output && a.tensor == tensor) return a.name;
  return "";
}

/// --method grid: each kept weight's level on its own CPQ grid (the
/// evaluation form's round-to-nearest with clipping, alpha per channel),
/// one codebook per grid (or per parameter) of all its levels in units of
/// alpha, the alpha tensor the parameter's scale; the values become
/// level * alpha exactly as the file decodes them, which the network's
/// quantizer maps to themselves.
std::vector<runtime::Codebook> grid_levels(Context &c, Result &result) {
  std::map<std::string, runtime::Codebook> books;
  std::map<std::string, std::vector<std::uint64_t>> counts;
  for (Coded &p : c.coded) {
    const codegen::PreparedNetwork::Quantizer &q = c.network.quantizers.at(p.name);
    p.codebook = c.o.per_layer ? p.name : q.grid.name();
    p.scale = q.alpha;
    runtime::Codebook &book = books[p.codebook];
    book.name = p.codebook;
    book.centres.clear();
    for (int level = q.grid.q_min(); level <= q.grid.q_max(); level += q.grid.q_step())
      book.centres.push_back(q.grid.t_of_level(level));
    auto &count = counts[p.codebook];
    count.resize(book.centres.size(), 0);
    const std::vector<float> &alpha = c.others.at(q.alpha);
    const std::size_t slice = alpha.size() == 1 ? p.values.size() : p.values.size() / alpha.size();
    p.cluster.clear();
    for (std::size_t i = 0; i < p.values.size(); ++i) {
      if (!p.keep[i]) continue;
      const float a = alpha[i / slice];
      const int code = q.grid.code_of_level(reference::quantize_level(q.grid, p.values[i], a));
      p.cluster.push_back(std::uint32_t(code));
      p.values[i] = book.centres[std::size_t(code)] * a;
      ++count[std::size_t(code)];
    }
  }
  std::vector<runtime::Codebook> out;
  double entropy_bits = 0, kept = 0;
  for (auto &[name, book] : books) {
    const std::vector<std::uint64_t> &count = counts[name];
    double n = 0;
    for (std::uint64_t k : count) n += double(k);
    for (std::uint64_t k : count)
      if (k) entropy_bits -= double(k) * std::log2(double(k) / n);
    kept += n;
    result.clusters = std::max(result.clusters, int(book.centres.size()));
    out.push_back(std::move(book));
  }
  result.entropy = kept > 0 ? entropy_bits / kept : 0;
  return out;
}

/// Quantizes the kept values of each codebook's parameters; the codebooks.
std::vector<runtime::Codebook> quantize_all(Context &c, Result &result) {
  if (c.o.method == "grid") return grid_levels(c, result);
  std::map<std::string, std::vector<Coded *>> groups;
  for (Coded &p : c.coded) {
    p.codebook = c.o.per_layer ? p.name : "all";
    groups[p.codebook].push_back(&p);
  }
  std::vector<runtime::Codebook> books;
  double entropy_bits = 0, kept = 0;
  for (auto &[name, members] : groups) {
    std::vector<float> w, h;
    for (Coded *p : members)
      for (std::size_t i = 0; i < p->values.size(); ++i)
        if (p->keep[i]) w.push_back(p->values[i]), h.push_back(p->importance.empty() ? 1.0f : p->importance[i]);
    const Quantized q = quantize(c, w, c.o.hessian == "none" ? std::vector<float>{} : h);
    std::size_t at = 0;
    for (Coded *p : members) {
      p->cluster.clear();
      for (std::size_t i = 0; i < p->values.size(); ++i)
        if (p->keep[i]) p->cluster.push_back(q.index[at]), p->values[i] = q.centres[q.index[at]], ++at;
    }
    books.push_back({name, q.centres});
    entropy_bits += index_entropy(q) * double(w.size()), kept += double(w.size());
    result.clusters = std::max(result.clusters, int(q.centres.size()));
  }
  result.entropy = kept > 0 ? entropy_bits / kept : 0;
  return books;
}

/// Every weight of a cluster set to the cluster's mean (pruned ones to 0).
void project_to_centres(Context &c, const runtime::TrainerOptions::Parameters &views) {
  std::map<std::string, std::map<std::uint32_t, std::pair<double, std::int64_t>>> means;
  for (const Coded &p : c.coded) {
    const float *v = views.at(p.name).first;
    auto &m = means[p.codebook];
    std::size_t k = 0;
    for (std::size_t i = 0; i < p.values.size(); ++i)
      if (p.keep[i]) {
        auto &s = m[p.cluster[k++]];
        s.first += double(v[i]), ++s.second;
      }
  }
  for (const Coded &p : c.coded) {
    float *v = views.at(p.name).first;
    const auto &m = means.at(p.codebook);
    std::size_t k = 0;
    for (std::size_t i = 0; i < p.values.size(); ++i) {
      if (!p.keep[i]) {
        v[i] = 0;
        continue;
      }
      const auto &s = m.at(p.cluster[k++]);
      v[i] = float(s.first / double(s.second));
    }
  }
}

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

/// The current values as a safetensors file of the network's parameters.
bool write_current(Context &c, const std::string &path) {
  safetensors::File f;
  for (const Coded &p : c.coded) f.tensors.push_back(safetensors::make_f32(p.name, p.shape, p.values));
  for (const auto &[name, v] : c.others) f.tensors.push_back(safetensors::make_f32(name, c.network.shapes.at(name), v));
  return safetensors::write(path, f, c.error);
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
  std::set<std::string> derived, matched;
  for (const Coded &p : c.coded) {
    const codegen::PreparedNetwork::Quantizer &q = c.network.quantizers.at(p.name);
    for (const char *suffix : {".panels", ".packed", ".bits"}) {
      const std::string name = runtime::c_identifier(p.name + suffix);
      const safetensors::Tensor *t = file.find(name);
      const std::string layout = file.metadata[runtime::model_format::weight_layout_prefix + name];
      if (!t || layout.empty()) continue;
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
      if (w.bytes != t->data ||
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

/// The compressed model of the current values: the kernel compiled, the
/// file written and loaded back, its accuracy measured.
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

bool check_options(const Options &o, std::string &error) {
  auto fail = [&](const std::string &m) { return error = m, false; };
  if (o.method != "kmeans" && o.method != "hkmeans" && o.method != "uniform" && o.method != "ecsq" && o.method != "grid")
    return fail("--method must be kmeans, hkmeans, uniform, ecsq or grid, not '" + o.method + "'");
  if (o.grid_kernel != "packed" && o.grid_kernel != "float")
    return fail("--grid-kernel must be packed or float, not '" + o.grid_kernel + "'");
  if (o.method == "grid" && (o.clusters > 0 || o.rate > 0 || o.hessian != "none"))
    return fail("--method grid codes each weight's level on its own CPQ grid: it takes no --clusters, --rate or "
                "--hessian");
  if (o.hessian != "adam" && o.hessian != "diag" && o.hessian != "none")
    return fail("--hessian must be diag, adam or none, not '" + o.hessian + "'");
  if (o.method == "hkmeans" && o.hessian == "none") return fail("--method hkmeans needs a Hessian (--hessian diag or adam)");
  if ((o.method == "kmeans" || o.method == "hkmeans") && (o.clusters < 1 || o.rate > 0))
    return fail("--method " + o.method + " takes --clusters K (at least 1), not --rate");
  if (o.method == "ecsq" && !(o.rate > 0)) return fail("--method ecsq takes --rate BITS (> 0)");
  if (o.method == "uniform" && (o.rate > 0) == (o.clusters > 0))
    return fail("--method uniform takes either --clusters K or --rate BITS");
  if (o.method == "uniform" && o.clusters == 1) return fail("--clusters must be at least 2 for uniform cells");
  if (!(o.prune >= 0 && o.prune < 1)) return fail("--prune must be in [0, 1)");
  if (o.prune_schedule != "gradual" && o.prune_schedule != "oneshot")
    return fail("--prune-schedule must be gradual or oneshot, not '" + o.prune_schedule + "'");
  if (o.fine_tune_epochs < 0) return fail("--fine-tune-epochs must not be negative");
  if (!(o.fine_tune_lr > 0) || !std::isfinite(o.fine_tune_lr)) return fail("--lr must be a positive number");
  if (o.output.empty()) return fail("-o OUT.cpqz is required");
  return true;
}

} // namespace

bool compress_run(const Options &o, Result &result, std::string &error) {
  if (!check_options(o, error)) return false;
  Context c(o);
  result = Result{};
  c.work = o.output + ".work";
  std::error_code ec;
  fs::remove_all(c.work, ec);
  if (!load_run(c) || !load_data(c, "train", o.train_limit, c.train) || !load_data(c, "t10k", o.test_limit, c.test))
    return error = c.error, false;
  {
    std::ifstream summary(o.run + "/summary.json");
    const nlohmann::json s = nlohmann::json::parse(summary, nullptr, false);
    if (s.is_object() && s.contains("test_accuracy") && s["test_accuracy"].is_number())
      result.reference_accuracy = s["test_accuracy"].get<double>();
  }
  std::string checkpoint = o.run + "/checkpoint.safetensors";
  if (o.prune > 0) {
    const bool gradual = o.prune_schedule == "gradual" && o.fine_tune_epochs > 0;
    if (!gradual) {
      prune_to(c, o.prune, [](Coded &p) { return p.values.data(); });
      c.note("pruned " + std::to_string(100 * o.prune) + "% of the weights by magnitude");
    }
    if (o.fine_tune_epochs > 0) {
      // Gradual: the mask grows with the cubic ramp, recomputed from the
      // trained magnitudes whenever the target moved by a hundredth of
      // itself; one-shot: the pruned weights are held at zero.
      const std::int64_t total = std::int64_t(o.fine_tune_epochs) * ((c.train.count + o.batch - 1) / o.batch);
      std::int64_t calls = 0;
      double pruned_to = 0;
      auto hold_pruned = [&](const runtime::TrainerOptions::Parameters &views) {
        auto view = [&](Coded &p) { return views.at(p.name).first; };
        const std::int64_t step = calls++;
        if (gradual) {
          const double target = gradual_sparsity(o.prune, step, total);
          if (target - pruned_to >= 0.01 * o.prune || (target == o.prune && pruned_to < o.prune)) {
            prune_to(c, target, view);
            pruned_to = target;
          }
        }
        for (Coded &p : c.coded) {
          float *v = view(p);
          for (std::size_t i = 0; i < p.keep.size(); ++i)
            if (!p.keep[i]) v[i] = 0;
        }
      };
      if (gradual)
        c.note("pruning gradually to " + std::to_string(100 * o.prune) + "% of the weights by magnitude over " +
               std::to_string(total / 2) + " of " + std::to_string(total) + " fine-tuning steps");
      if (!fine_tune(c, "prune-fine-tune", hold_pruned, checkpoint)) return error = c.error, false;
      if (gradual && pruned_to < o.prune) // a resumed or cut-short fine-tune: the final mask now
        prune_to(c, o.prune, [](Coded &p) { return p.values.data(); });
    }
  }
  if (o.hessian == "adam" && !adam_importance(c, checkpoint)) return error = c.error, false;
  if (o.hessian == "diag" && !diag_importance(c)) return error = c.error, false;
  std::vector<runtime::Codebook> books = quantize_all(c, result);
  c.note(std::to_string(result.clusters) + " clusters, " + std::to_string(result.entropy) + " bits of index entropy");
  if (o.fine_tune_epochs > 0 && o.method != "grid") { // a grid's levels are fixed: no centres to move
    if (!write_and_evaluate(c, books, result)) return error = c.error, false;
    result.accuracy_before_fine_tune = result.test_accuracy;
    auto on_centres = [&](const runtime::TrainerOptions::Parameters &views) { project_to_centres(c, views); };
    if (!fine_tune(c, "centre-fine-tune", on_centres, checkpoint)) return error = c.error, false;
    // The fine-tuned centres: the common value of each cluster's weights.
    for (runtime::Codebook &b : books)
      for (const Coded &p : c.coded) {
        if (p.codebook != b.name) continue;
        std::size_t k = 0;
        for (std::size_t i = 0; i < p.values.size(); ++i)
          if (p.keep[i]) b.centres[p.cluster[k++]] = p.values[i];
      }
  }
  if (!write_and_evaluate(c, books, result)) return error = c.error, false;
  fs::remove_all(c.work, ec);
  return true;
}

} // namespace cpq::compress
