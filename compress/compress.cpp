//===- compress.cpp - a trained run compressed to the limit -----------------===//
#include "compress/compress.h"
#include "compress/context.h"

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
  fs::create_directories(folder);
  if (!write_current(c, folder + "/start.safetensors")) return false;
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
