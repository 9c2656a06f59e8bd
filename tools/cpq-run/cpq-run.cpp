//===- cpq-run.cpp - run a compiled network on an IDX image set -------------===//
//
// cpq-run build/lenet5_w2a2_inference [--compare build/lenet5_w2a2_fakequant]
//
// Loads a kernel cpq-compile made (PREFIX.so + PREFIX.json) of a function
// that maps images (input: N x 1 x rows x cols float32, pixels byte / 255 as
// cpq-train feeds them) to logits (N x classes float32): a frozen packed
// integer network (`cpq-opt --cpq-inference-pipeline`, function `inference`)
// or any float or fake-quantized one. Runs it over an IDX image set in
// batches and prints test accuracy and images/s (median of --repeats passes,
// kernel calls only); with --compare, a second kernel runs on the same
// images and the agreement of their predictions is printed (the parity of a
// packed network with the network it was trained as); --predictions writes
// index,label,prediction[,other] per image (atomically).
//
// Instead of a kernel prefix, a packed model file (MODEL.safetensors, from
// `cpq-compile --model`) runs the kernel its metadata names with the file's
// parameters; `cpq-run MODEL.safetensors --info` prints what the file holds
// and its size against float32.
//
//===----------------------------------------------------------------------===//
#include "cpq/runtime/atomic_file.h"
#include "cpq/runtime/batches.h"
#include "cpq/runtime/idx.h"
#include "cpq/runtime/kernel.h"
#include "cpq/runtime/model.h"
#include "cpq/runtime/tensor.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace cl = llvm::cl;
using namespace cpq::runtime;

static cl::OptionCategory runOptions("cpq-run options");
static cl::opt<std::string> kernelOpt(cl::Positional,
                                      cl::desc("<kernel prefix (PREFIX.so, PREFIX.json) or packed model (.safetensors)>"),
                                      cl::Required, cl::cat(runOptions));
static cl::opt<std::string> compareOpt("compare",
                                       cl::desc("a second kernel prefix or model to compare predictions with"),
                                       cl::init(""), cl::cat(runOptions));
static cl::opt<bool> infoOpt("info", cl::desc("print what a packed model file holds and its size against float32"),
                             cl::init(false), cl::cat(runOptions));
static cl::opt<std::string> dataOpt("data", cl::desc("folder of <split>-images/-labels IDX files (gzip or plain)"),
                                    cl::init(cpq::idx::kFashionMnistDir), cl::cat(runOptions));
static cl::opt<std::string> splitOpt("split", cl::desc("t10k (the test set) or train"), cl::init("t10k"),
                                     cl::cat(runOptions));
static cl::opt<std::string> imagesOpt("images", cl::desc("an IDX image file (instead of --data/--split)"),
                                      cl::init(""), cl::cat(runOptions));
static cl::opt<std::string> labelsOpt("labels", cl::desc("its IDX label file"), cl::init(""), cl::cat(runOptions));
static cl::opt<int> batchOpt("batch", cl::desc("images per kernel call"), cl::init(256), cl::cat(runOptions));
static cl::opt<int> limitOpt("limit", cl::desc("use only the first N images (0: all)"), cl::init(0), cl::cat(runOptions));
static cl::opt<int> repeatsOpt("repeats", cl::desc("timed passes over the images (median reported)"), cl::init(3),
                               cl::cat(runOptions));
static cl::opt<std::string> predictionsOpt("predictions", cl::desc("write index,label,prediction per image to FILE"),
                                           cl::init(""), cl::cat(runOptions));

namespace {

[[noreturn]] void fail(const std::string &message) {
  std::fprintf(stderr, "cpq-run: error: %s\n", message.c_str());
  std::exit(1);
}

/// A loaded kernel (or packed model) with its image input and logits output
/// checked.
struct Classifier {
  std::unique_ptr<Model> model;   // a packed model, or
  std::unique_ptr<Kernel> owned;  // a kernel with its parameters compiled in
  const Kernel *kernel = nullptr;
  std::string input, logits;
  std::int64_t classes = 0;

  Classifier(const std::string &prefix, std::int64_t rows, std::int64_t cols) {
    std::string error;
    if (is_model_file(prefix)) {
      model = Model::load(prefix, error);
      if (!model) fail(error);
      kernel = &model->kernel();
    } else {
      owned = Kernel::load(prefix, error);
      if (!owned) fail(error);
      kernel = owned.get();
    }
    // The images: the one input of role input; the logits: the output of
    // role logits, or the only output (a network function's result).
    std::vector<std::string> outputs;
    for (const KernelArgument &a : kernel->arguments()) {
      if (!a.buffer) fail(prefix + ": takes a scalar argument '" + a.name + "'; cpq-run runs functions of images only");
      if (a.output) {
        outputs.push_back(a.name);
        if (a.role == "logits") logits = a.name;
      } else if (model && a.role == "param") {
        continue; // the model file's
      } else if (a.role == "input" && input.empty()) {
        input = a.name;
      } else {
        fail(prefix + ": input '" + a.name + "' (role " + a.role +
             ") is not the images; compile the inference function (cpq-opt --cpq-inference-pipeline), or a network "
             "with its parameters bound (--cpq-bind-params)");
      }
    }
    if (logits.empty() && outputs.size() == 1) logits = outputs[0];
    if (input.empty() || logits.empty())
      fail(prefix + ": needs one input of role input and one output of role logits (or a single output)");
    const KernelArgument &in = *kernel->argument(input), &out = *kernel->argument(logits);
    if (in.type.code != halide_type_float || in.type.bits != 32 || in.shape.size() != 4 || in.shape[1] != 1 ||
        in.shape[2] != rows || in.shape[3] != cols)
      fail(prefix + ": its input is " + type_name(in.type) + " of shape " + shape_text(in.shape, "batch") +
           ", not float32 [batch, 1, " + std::to_string(rows) + ", " + std::to_string(cols) + "] images");
    if (out.type.code != halide_type_float || out.type.bits != 32 || out.shape.size() != 2 || out.shape[1] < 1)
      fail(prefix + ": its logits are " + type_name(out.type) + " of shape " + shape_text(out.shape, "batch") +
           ", not float32 [batch, classes]");
    classes = out.shape[1];
  }

  /// Predictions of images [first, first + n) into `out`; the seconds the
  /// kernel call took.
  double predict(HostTensor &images, std::int64_t n, std::int32_t *out) {
    HostTensor scores(kernel->argument(logits)->type, {n, classes});
    std::string error;
    const auto start = std::chrono::steady_clock::now();
    const std::map<std::string, halide_buffer_t *> data = {{input, images.buffer()}, {logits, scores.buffer()}};
    if (!(model ? model->call(data, error) : kernel->call(data, {}, error))) fail(error);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const float *s = scores.data<float>();
    for (std::int64_t i = 0; i < n; ++i)
      out[i] = std::int32_t(std::max_element(s + i * classes, s + (i + 1) * classes) - (s + i * classes));
    return seconds;
  }
};

/// Every image's prediction and the median seconds of a timed pass.
double run_all(Classifier &c, const cpq::idx::LabelledImages &data, std::vector<std::int32_t> &predictions) {
  std::vector<std::uint32_t> order(static_cast<std::size_t>(data.count));
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = std::uint32_t(i);
  predictions.assign(order.size(), -1);
  // The batches are made once, before timing.
  std::vector<std::unique_ptr<HostTensor>> batches;
  std::vector<std::int32_t> labels(static_cast<std::size_t>(batchOpt));
  for (std::int64_t first = 0; first < data.count; first += batchOpt) {
    const std::int64_t n = std::min<std::int64_t>(batchOpt, data.count - first);
    batches.push_back(std::make_unique<HostTensor>(halide_type_t(halide_type_float, 32), std::vector<std::int64_t>{n, 1, data.rows, data.cols}));
    std::string error;
    if (!fill_batch(data, order, std::size_t(first), std::size_t(n), Normalisation{0.0f, 1.0f},
                    batches.back()->data<float>(), labels.data(), error))
      fail(error);
  }
  std::vector<double> passes;
  for (int pass = 0; pass < 1 + repeatsOpt; ++pass) { // the first pass warms up
    double seconds = 0;
    std::int64_t first = 0;
    for (auto &b : batches) {
      const std::int64_t n = b->shape()[0];
      seconds += c.predict(*b, n, predictions.data() + first);
      first += n;
    }
    if (pass > 0) passes.push_back(seconds);
  }
  std::sort(passes.begin(), passes.end());
  return passes[passes.size() / 2];
}

void write_predictions(const std::string &path, const cpq::idx::LabelledImages &data,
                       const std::vector<std::int32_t> &p, const std::vector<std::int32_t> *other) {
  std::ostringstream out;
  out << "index,label,prediction" << (other ? ",compared" : "") << "\n";
  for (std::size_t i = 0; i < p.size(); ++i) {
    out << i << "," << int(data.labels[i]) << "," << p[i];
    if (other) out << "," << (*other)[i];
    out << "\n";
  }
  std::string error;
  if (!write_atomically(path, out.str(), error)) fail(error);
}

/// cpq-run MODEL --info: the tensors of a packed model file, its size on
/// disk and the size of the same tensors in float32.
void print_info(const std::string &path) {
  if (!is_model_file(path)) fail(path + ": --info reads a packed model file (.safetensors, cpq-compile --model)");
  std::string error;
  std::unique_ptr<Model> m = Model::load(path, error);
  if (!m) fail(error);
  std::printf("%s: packed model of kernel %s (function %s)\n", path.c_str(), m->kernel_prefix().c_str(),
              m->kernel().function().c_str());
  std::printf("  %-34s %-5s %-12s %10s  %s\n", "tensor", "dtype", "shape", "bytes", "holds");
  std::int64_t packed = 0, weights = 0, floats = 0, float_values = 0, fp32 = 0;
  for (const ModelTensorInfo &t : m->tensors()) {
    std::string holds =
        t.layout.empty() ? std::to_string(t.elements) + (t.elements == 1 ? " value" : " values") : t.layout;
    if (!t.layout.empty()) {
      const std::size_t colon = holds.find(':');
      const bool panels = holds.find("panel layout") != std::string::npos,
                 bit_rows = holds.find("bit rows") != std::string::npos;
      holds = holds.substr(0, colon) + " (" + std::to_string(t.elements) + " weights, " +
              (panels ? "panel layout" : bit_rows ? "bit rows" : "rows of cpq.pack") + ")";
      packed += t.bytes, weights += t.elements;
    } else {
      floats += t.bytes, float_values += t.elements;
    }
    fp32 += 4 * t.elements;
    std::printf("  %-34s %-5s %-12s %10lld  %s\n", t.name.c_str(), t.dtype.c_str(), shape_text(t.shape).c_str(),
                (long long)t.bytes, holds.c_str());
  }
  const double kib = 1024.0;
  std::printf("  packed weights   %10lld bytes  (%lld weights, %.3f bits each with padding)\n", (long long)packed,
              (long long)weights, weights ? 8.0 * double(packed) / double(weights) : 0.0);
  std::printf("  other values     %10lld bytes  (%lld: requantization scales and biases, quantizer steps)\n",
              (long long)floats, (long long)float_values);
  std::printf("  header           %10lld bytes  (JSON: names, shapes, layouts)\n", (long long)m->header_bytes());
  std::printf("  file on disk     %10lld bytes = %.1f KiB\n", (long long)m->file_bytes(), double(m->file_bytes()) / kib);
  std::printf("  as float32       %10lld bytes = %.1f KiB (every weight and value in 4 bytes): %.1fx larger\n",
              (long long)fp32, double(fp32) / kib, m->file_bytes() ? double(fp32) / double(m->file_bytes()) : 0.0);
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(runOptions);
  cl::ParseCommandLineOptions(argc, argv, "cpq-run: runs a compiled network on an IDX image set\n");
  if (batchOpt < 1) fail("--batch must be at least 1");
  if (limitOpt < 0) fail("--limit must not be negative");
  if (repeatsOpt < 1) fail("--repeats must be at least 1");
  if (splitOpt != "t10k" && splitOpt != "train") fail("--split must be t10k or train");
  if (imagesOpt.empty() != labelsOpt.empty()) fail("--images and --labels go together");
  if (infoOpt) {
    print_info(kernelOpt);
    return 0;
  }

  std::string images = imagesOpt, labels = labelsOpt;
  if (images.empty()) {
    images = cpq::idx::split_file(dataOpt, splitOpt + "-images-idx3-ubyte");
    labels = cpq::idx::split_file(dataOpt, splitOpt + "-labels-idx1-ubyte");
  }
  cpq::idx::LabelledImages data;
  std::string error;
  if (!cpq::idx::read_labelled(images, labels, 256, data, error)) fail(error);
  if (limitOpt > 0 && limitOpt < data.count) {
    data.count = limitOpt;
    data.images.resize(std::size_t(data.count * data.rows * data.cols));
    data.labels.resize(std::size_t(data.count));
  }
  if (data.count == 0) fail(images + ": holds no images");

  Classifier main_kernel(kernelOpt, data.rows, data.cols);
  std::unique_ptr<Classifier> other;
  if (!compareOpt.empty()) other = std::make_unique<Classifier>(compareOpt, data.rows, data.cols);
  for (std::uint8_t l : data.labels)
    if (l >= main_kernel.classes)
      fail(labels + ": label " + std::to_string(int(l)) + " is not one of the kernel's " +
           std::to_string(main_kernel.classes) + " classes");

  auto accuracy = [&](const std::vector<std::int32_t> &p) {
    std::int64_t correct = 0;
    for (std::size_t i = 0; i < p.size(); ++i) correct += p[i] == data.labels[i];
    return 100.0 * double(correct) / double(p.size());
  };
  std::vector<std::int32_t> predictions, compared;
  const double seconds = run_all(main_kernel, data, predictions);
  std::printf("%s on %lld images (%s), batch %d\n", kernelOpt.c_str(), (long long)data.count, images.c_str(),
              batchOpt.getValue());
  std::printf("  accuracy     %.2f %%\n", accuracy(predictions));
  std::printf("  speed        %.0f images/s (median of %d passes, kernel calls only)\n", double(data.count) / seconds,
              repeatsOpt.getValue());
  if (other) {
    const double other_seconds = run_all(*other, data, compared);
    std::int64_t same = 0;
    for (std::size_t i = 0; i < predictions.size(); ++i) same += predictions[i] == compared[i];
    std::printf("%s\n", compareOpt.c_str());
    std::printf("  accuracy     %.2f %%\n", accuracy(compared));
    std::printf("  speed        %.0f images/s\n", double(data.count) / other_seconds);
    std::printf("agreement      %.2f %% of predictions equal (%lld of %lld differ); accuracy difference %+.2f points\n",
                100.0 * double(same) / double(data.count), (long long)(data.count - same), (long long)data.count,
                accuracy(predictions) - accuracy(compared));
  }
  if (!predictionsOpt.empty()) write_predictions(predictionsOpt, data, predictions, other ? &compared : nullptr);
  return 0;
}
