//===- gradient_study.cpp - what DropBits does to the multi-class STE's gradients -===//
//
// cpq-gradient-study NET.mlir --params RUN/params.safetensors --bits W3A3
//     [--dropbits 0.05,0.1,0.25] [--batches 8] [--draws 16] [--batch 64]
//     [--seed 1] [--cache DIR] [-o FILE.csv] [--json]
//
// Measures, at the trained values of a run, the weight gradients the
// compiled train_step computes (the multi-class straight-through estimator
// of cpq-method.md section 3, on the DropBits grids of section 4) against
// the float network's gradient at the same weights (the gradient the STE
// stands in for), for DropBits off and for each p with hierarchical and
// independent masks. Per weight tensor, averaged over --batches batches of
// the training set:
//   cosine     cos(E_masks[g_ste], g_float): 1 when the STE points where
//              the float gradient points
//   rel_error  |E_masks[g_ste] - g_float| / |g_float|: the estimator's
//              distance from the float gradient (its bias, in this sense)
//   rel_var    E_masks |g_ste - E_masks[g_ste]|^2 / |E_masks[g_ste]|^2: the
//              variance DropBits' masks add (0 without DropBits)
//   batch_var  the same over the batches instead of the masks (of
//              E_masks[g_ste]): the minibatch noise SGD has anyway, the
//              scale to read rel_var against
// with E_masks the mean over --draws mask draws (the masks are keyed by the
// step, so draw k calls train_step at step k on the same batch).
//
// The gradients come out of train_step itself: compiled with plain SGD,
// a zero momentum buffer and learning rate 1, one step returns
// param - gradient. Quantizer scales and biases are left out (the scales
// have lower bounds, the biases are not quantized).
//
//===----------------------------------------------------------------------===//
#include "codegen/network.h"

#include "cpq/runtime/batches.h"
#include "cpq/runtime/idx.h"
#include "cpq/runtime/kernel.h"
#include "cpq/runtime/roles.h"
#include "cpq/runtime/safetensors.h"
#include "cpq/runtime/tensor.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstring>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

using namespace cpq::runtime;
namespace safetensors = cpq::safetensors;
namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const std::string &message) {
  std::fprintf(stderr, "cpq-gradient-study: error: %s\n", message.c_str());
  std::exit(1);
}

std::vector<std::string> split(const std::string &s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) out.push_back(item);
  return out;
}

/// A compiled train_step at given values: gradients of its weights.
class Gradients {
public:
  Gradients(const std::string &net, const cpq::codegen::NetworkOptions &options, const safetensors::File &params,
            const std::string &cache, int batch, bool quiet) {
    cpq::codegen::PreparedNetwork prepared;
    std::string error, folder;
    if (!cpq::codegen::prepare_network(net, options, prepared, error)) fail(error);
    auto note = [&](const std::string &m) {
      if (!quiet) std::fprintf(stderr, "cpq-gradient-study: %s\n", m.c_str());
    };
    if (!cpq::codegen::compiled_kernels(prepared, cache, "host", note, folder, error)) fail(error);
    kernel_ = Kernel::load(folder + "/train_step", error);
    if (!kernel_) fail(error);
    for (const KernelArgument &a : kernel_->arguments())
      if (a.buffer) tensors_[a.name] = std::make_unique<HostTensor>(a, batch);
    if (!tensors_.count("input") || !tensors_.count("labels"))
      fail(net + ": its train_step takes no 'input' and 'labels' (not an image classifier of the dialect?)");
    for (const KernelArgument &a : kernel_->arguments()) {
      if (a.output || a.role != roles::param) continue;
      const safetensors::Tensor *t = params.find(a.tensor);
      if (!t) fail("--params has no tensor '" + a.tensor + "' (a run of this network at these bits?)");
      std::vector<float> v = t->as_f32();
      std::size_t count = 1;
      for (std::int64_t d : a.shape) count *= std::size_t(d);
      if (v.size() != count) fail("--params: tensor '" + a.tensor + "' has another shape than the network's");
      tensors_.at(a.name)->assign_floats(v);
      values_[a.name] = std::move(v);
      if (prepared.uses.count(a.tensor) && prepared.uses.at(a.tensor) == "weight") weights_[a.tensor] = a.name;
    }
  }

  /// The weights' gradients (by network name) on the batch in `images`,
  /// `labels`, with the masks of `step`.
  std::map<std::string, std::vector<double>> at(const std::vector<float> &images, const std::vector<std::int32_t> &labels,
                                                 std::int64_t step) {
    for (auto &[name, v] : values_) tensors_.at(name)->assign_floats(v);
    for (const KernelArgument &a : kernel_->arguments()) {
      if (a.output) continue;
      if (a.role == roles::state)
        tensors_.at(a.name)->assign_floats(std::vector<float>(tensors_.at(a.name)->count(), 0.0f));
    }
    std::memcpy(tensors_.at("input")->data<float>(), images.data(), images.size() * sizeof(float));
    std::memcpy(tensors_.at("labels")->data<std::int32_t>(), labels.data(), labels.size() * sizeof(std::int32_t));
    std::map<std::string, halide_buffer_t *> buffers;
    for (auto &[name, h] : tensors_) buffers[name] = h->buffer();
    const std::map<std::string, Scalar> scalars = {
        {"step", Scalar::of_int(step)}, {"seed", Scalar::of_int(1)}, {"learning_rate", Scalar::of(1.0)}};
    std::string error;
    if (!kernel_->call(buffers, scalars, error)) fail("train_step: " + error);
    std::map<std::string, std::vector<double>> g;
    for (const KernelArgument &a : kernel_->arguments()) {
      if (a.updates.empty()) continue;
      const KernelArgument *in = nullptr;
      for (const KernelArgument &b : kernel_->arguments())
        if (b.name == a.updates) in = &b;
      if (!in || in->role != roles::param || !weights_.count(in->tensor)) continue;
      const std::vector<float> after = tensors_.at(a.name)->to_floats();
      const std::vector<float> &before = values_.at(in->name);
      std::vector<double> &d = g[in->tensor];
      d.resize(before.size());
      for (std::size_t i = 0; i < before.size(); ++i) d[i] = double(before[i]) - double(after[i]);
    }
    return g;
  }

private:
  std::unique_ptr<Kernel> kernel_;
  std::map<std::string, std::unique_ptr<HostTensor>> tensors_;
  std::map<std::string, std::vector<float>> values_; // parameters by C name
  std::map<std::string, std::string> weights_;       // network name -> C name
};

double dot(const std::vector<double> &a, const std::vector<double> &b) {
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

struct Row {
  std::string config, mode, tensor;
  double p = 0, cosine = 0, rel_error = 0, rel_var = 0, batch_var = 0;
};

} // namespace

int main(int argc, char **argv) {
  std::string net, params_path, bits = "W3A3", cache = cpq::codegen::default_cache(), out;
  std::vector<double> ps = {0.05, 0.1, 0.25};
  int batches = 8, draws = 16, batch = 64;
  std::uint64_t seed = 1;
  bool json = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) fail(a + " needs a value");
      return argv[++i];
    };
    if (a == "--params") params_path = value();
    else if (a == "--bits") bits = value();
    else if (a == "--dropbits") {
      ps.clear();
      for (const std::string &p : split(value())) {
        char *end = nullptr;
        const double v = std::strtod(p.c_str(), &end);
        if (*end || !(v > 0 && v < 1)) fail("--dropbits takes probabilities in (0, 1), got '" + p + "'");
        ps.push_back(v);
      }
    } else if (a == "--batches") batches = std::atoi(value().c_str());
    else if (a == "--draws") draws = std::atoi(value().c_str());
    else if (a == "--batch") batch = std::atoi(value().c_str());
    else if (a == "--seed") seed = std::strtoull(value().c_str(), nullptr, 10);
    else if (a == "--cache") cache = value();
    else if (a == "-o") out = value();
    else if (a == "--json") json = true;
    else if (a == "--help" || a[0] == '-') {
      std::fprintf(stderr,
                   "usage: cpq-gradient-study NET.mlir --params RUN/params.safetensors [--bits W3A3] "
                   "[--dropbits 0.05,0.1,0.25] [--batches 8] [--draws 16] [--batch 64] [--seed 1] [--cache DIR] "
                   "[-o FILE.csv] [--json]\n");
      return a == "--help" ? 0 : 1;
    } else net = a;
  }
  if (net.empty() || params_path.empty()) fail("give the network file and --params (see --help)");
  if (batches < 1 || draws < 2 || batch < 1) fail("--batches and --batch must be at least 1, --draws at least 2");
  cpq::codegen::NetworkOptions q;
  if (std::sscanf(bits.c_str(), "W%dA%d", &q.weight_bits, &q.activation_bits) != 2 || q.weight_bits < 2 ||
      q.weight_bits > 8 || q.activation_bits < 1 || q.activation_bits > 8)
    fail("--bits takes WnAm with n in 2..8 (DropBits needs at least 2 bits), got '" + bits + "'");
  q.optimizer = "sgd", q.scale_floor = 0, q.sigma_floor = 0;
  safetensors::File params;
  std::string error;
  if (!safetensors::read(params_path, params, error)) fail(error);
  cpq::idx::LabelledImages data;
  const std::string dir = cpq::idx::kFashionMnistDir;
  if (!cpq::idx::read_labelled(cpq::idx::split_file(dir, "train-images-idx3-ubyte"),
                               cpq::idx::split_file(dir, "train-labels-idx1-ubyte"), 10, data, error))
    fail(error);

  if (std::int64_t(batches) * batch > data.count)
    fail("--batches x --batch (" + std::to_string(std::int64_t(batches) * batch) + ") exceeds the " +
         std::to_string(data.count) + " training images");
  cpq::codegen::NetworkOptions f = q;
  f.weight_bits = f.activation_bits = 0;
  Gradients reference(net, f, params, cache, batch, json);
  struct Config {
    std::string name, mode;
    double p;
  };
  std::vector<Config> configs = {{"off", "", 0.0}};
  for (double p : ps)
    for (const char *mode : {"hierarchical", "independent"}) {
      char name[64];
      std::snprintf(name, sizeof name, "p%g-%s", p, mode);
      configs.push_back({name, mode, p});
    }
  std::vector<Row> rows;
  const auto order = epoch_order(static_cast<std::uint32_t>(data.count), seed, 0);
  const std::size_t pixels = std::size_t(data.rows * data.cols);
  for (const Config &c : configs) {
    cpq::codegen::NetworkOptions o = q;
    o.dropbits = c.p;
    if (c.p > 0) o.dropbits_mode = c.mode;
    Gradients ste(net, o, params, cache, batch, json);
    std::map<std::string, Row> sums;
    std::map<std::string, std::vector<std::vector<double>>> means; // per tensor, per batch
    for (int b = 0; b < batches; ++b) {
      std::vector<float> images(std::size_t(batch) * pixels);
      std::vector<std::int32_t> labels(static_cast<std::size_t>(batch), 0);
      if (!fill_batch(data, order, std::size_t(b) * std::size_t(batch), std::size_t(batch), Normalisation{0.0f, 1.0f},
                      images.data(), labels.data(), error))
        fail(error);
      const auto gf = reference.at(images, labels, 0);
      std::vector<std::map<std::string, std::vector<double>>> g;
      for (int k = 0; k < (c.p > 0 ? draws : 1); ++k) g.push_back(ste.at(images, labels, k + 1000 * b));
      for (const auto &[tensor, ref] : gf) {
        std::vector<double> mean(ref.size(), 0.0);
        for (const auto &draw : g)
          for (std::size_t i = 0; i < ref.size(); ++i) mean[i] += draw.at(tensor)[i] / double(g.size());
        double var = 0;
        for (const auto &draw : g) {
          const std::vector<double> &d = draw.at(tensor);
          for (std::size_t i = 0; i < ref.size(); ++i) var += (d[i] - mean[i]) * (d[i] - mean[i]) / double(g.size());
        }
        std::vector<double> diff(ref.size());
        for (std::size_t i = 0; i < ref.size(); ++i) diff[i] = mean[i] - ref[i];
        const double nm = std::sqrt(dot(mean, mean)), nr = std::sqrt(dot(ref, ref));
        Row &r = sums[tensor];
        r.cosine += (nm > 0 && nr > 0 ? dot(mean, ref) / (nm * nr) : 0.0) / batches;
        r.rel_error += (nr > 0 ? std::sqrt(dot(diff, diff)) / nr : 0.0) / batches;
        r.rel_var += (nm > 0 ? var / (nm * nm) : 0.0) / batches;
        means[tensor].push_back(std::move(mean));
      }
    }
    for (auto &[tensor, per_batch] : means) {
      std::vector<double> centre(per_batch[0].size(), 0.0);
      for (const auto &m : per_batch)
        for (std::size_t i = 0; i < m.size(); ++i) centre[i] += m[i] / double(per_batch.size());
      double var = 0, norm = 0;
      for (const auto &m : per_batch) {
        for (std::size_t i = 0; i < m.size(); ++i) var += (m[i] - centre[i]) * (m[i] - centre[i]);
        norm += dot(m, m);
      }
      sums[tensor].batch_var = norm > 0 ? var / norm : 0.0;
    }
    for (auto &[tensor, r] : sums) {
      r.config = c.name, r.mode = c.mode, r.p = c.p, r.tensor = tensor;
      rows.push_back(r);
      if (!json)
        std::printf("%-26s %-14s cosine %.4f  rel_error %.4f  rel_var %.4f  batch_var %.4f\n", c.name.c_str(),
                    tensor.c_str(), r.cosine, r.rel_error, r.rel_var, r.batch_var);
    }
    std::fflush(stdout);
  }
  if (!out.empty()) {
    const std::string tmp = out + ".tmp";
    std::ofstream f(tmp);
    f << "config,dropbits,mode,tensor,cosine,rel_error,rel_var,batch_var\n";
    for (const Row &r : rows)
      f << r.config << "," << r.p << "," << r.mode << "," << r.tensor << "," << r.cosine << "," << r.rel_error << ","
        << r.rel_var << "," << r.batch_var << "\n";
    f.close();
    if (!f) fail(out + ": cannot write");
    fs::rename(tmp, out);
  }
  if (json) {
    nlohmann::ordered_json j = {{"bits", bits}, {"batches", batches}, {"draws", draws}, {"batch", batch}};
    j["rows"] = nlohmann::ordered_json::array();
    for (const Row &r : rows)
      j["rows"].push_back({{"config", r.config}, {"dropbits", r.p}, {"mode", r.mode}, {"tensor", r.tensor},
                           {"cosine", r.cosine}, {"rel_error", r.rel_error}, {"rel_var", r.rel_var},
                           {"batch_var", r.batch_var}});
    std::printf("%s\n", j.dump().c_str());
  }
  return 0;
}
