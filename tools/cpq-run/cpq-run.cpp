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
// Instead of images, --tensor FILE takes the network's float32 inputs
// themselves: a safetensors file of one F32 tensor [N, ...] or a raw file of
// little-endian float32 values, N inputs of the kernel's input shape (less
// the batch); --labels (IDX) is then optional and gives the accuracy.
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
#include "cpq/runtime/safetensors.h"
#include "cpq/runtime/tensor.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
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
static cl::opt<std::string> tensorOpt("tensor",
                                      cl::desc("the network's inputs themselves: a safetensors file of one F32 tensor "
                                               "[N, ...] or raw little-endian float32 (instead of images)"),
                                      cl::init(""), cl::cat(runOptions));
static cl::opt<int> batchOpt("batch", cl::desc("images per kernel call"), cl::init(256), cl::cat(runOptions));
static cl::opt<int> limitOpt("limit", cl::desc("use only the first N images (0: all)"), cl::init(0), cl::cat(runOptions));
static cl::opt<int> repeatsOpt("repeats", cl::desc("timed passes over the images (median reported)"), cl::init(3),
                               cl::cat(runOptions));
static cl::opt<std::string> predictionsOpt("predictions", cl::desc("write index,label,prediction per image to FILE"),
                                           cl::init(""), cl::cat(runOptions));

static cl::opt<bool> anyKernelPathOpt("any-kernel-path",
                                     cl::desc("load a model file's kernel also from outside the model's folder "
                                              "(absolute paths, '..', symbolic links out of it)"),
                                     cl::init(false), cl::cat(runOptions));
static cl::opt<bool> requirePinOpt("require-pinned-kernel",
                                   cl::desc("refuse a model file that does not pin its kernel's SHA-256 "
                                            "(cpq-compile --pin-kernel)"),
                                   cl::init(false), cl::cat(runOptions));

namespace {

/// How model files are opened: --any-kernel-path, --require-pinned-kernel.
ModelLoadOptions load_options() {
  ModelLoadOptions o;
  o.any_kernel_path = anyKernelPathOpt;
  o.require_pinned_kernel = requirePinOpt;
  return o;
}

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
  std::vector<std::int64_t> input_shape; ///< less the batch
  std::int64_t classes = 0;

  /// `sample`: the input's shape less the batch, or empty to accept any
  /// float32 input of rank >= 2 (raw tensors, whose shape the kernel gives).
  Classifier(const std::string &prefix, const std::vector<std::int64_t> &sample) {
    std::string error;
    if (is_model_file(prefix)) {
      model = Model::load(prefix, error, load_options());
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
    const bool any = sample.empty();
    const bool batched = in.shape.size() >= 2 && in.shape[0] < 0;
    if (in.type.code != halide_type_float || in.type.bits != 32 || !batched ||
        (!any && std::vector<std::int64_t>(in.shape.begin() + 1, in.shape.end()) != sample)) {
      std::vector<std::int64_t> want = {-1};
      want.insert(want.end(), sample.begin(), sample.end());
      fail(prefix + ": its input is " + type_name(in.type) + " of shape " + shape_text(in.shape, "batch") +
           ", not float32 " + (any ? "[batch, ...]" : shape_text(want, "batch") + " images"));
    }
    input_shape.assign(in.shape.begin() + 1, in.shape.end());
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

/// The network's inputs in batches (made once, before timing) and their
/// labels (empty: none).
struct Inputs {
  std::string source;
  std::int64_t count = 0;
  std::vector<std::unique_ptr<HostTensor>> batches;
  std::vector<std::int32_t> labels;
};

/// IDX images as float NCHW batches, pixels byte / 255.
Inputs image_batches(const cpq::idx::LabelledImages &data, const std::string &source) {
  Inputs in;
  in.source = source, in.count = data.count;
  std::vector<std::uint32_t> order(static_cast<std::size_t>(data.count));
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = std::uint32_t(i);
  std::vector<std::int32_t> labels(static_cast<std::size_t>(batchOpt));
  for (std::int64_t first = 0; first < data.count; first += batchOpt) {
    const std::int64_t n = std::min<std::int64_t>(batchOpt, data.count - first);
    in.batches.push_back(std::make_unique<HostTensor>(halide_type_t(halide_type_float, 32),
                                                      std::vector<std::int64_t>{n, 1, data.rows, data.cols}));
    std::string error;
    if (!fill_batch(data, order, std::size_t(first), std::size_t(n), Normalisation{0.0f, 1.0f},
                    in.batches.back()->data<float>(), labels.data(), error))
      fail(error);
  }
  in.labels.assign(data.labels.begin(), data.labels.end());
  return in;
}

/// A tensor file's float32 values: a safetensors file of one F32 tensor
/// (its shape returned) or raw little-endian float32 (shape empty).
std::vector<float> read_tensor_file(const std::string &path, std::vector<std::int64_t> &shape) {
  std::string error;
  if (path.size() > 12 && path.compare(path.size() - 12, 12, ".safetensors") == 0) {
    cpq::safetensors::File f;
    if (!cpq::safetensors::read(path, f, error)) fail(error);
    if (f.tensors.size() != 1)
      fail(path + ": holds " + std::to_string(f.tensors.size()) + " tensors; --tensor takes a file of one");
    const cpq::safetensors::Tensor &t = f.tensors[0];
    if (t.dtype != "F32") fail(path + ": tensor '" + t.name + "' is " + t.dtype + ", not F32");
    shape = t.shape;
    return t.as_f32();
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) fail(path + ": cannot open");
  const std::vector<char> bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  if (file.bad()) fail(path + ": read error");
  if (bytes.size() % sizeof(float))
    fail(path + ": " + std::to_string(bytes.size()) + " bytes is not a whole number of float32 values");
  std::vector<float> values(bytes.size() / sizeof(float));
  std::memcpy(values.data(), bytes.data(), bytes.size());
  shape.clear();
  return values;
}

/// The inputs of --tensor for a kernel whose input is `sample` less the
/// batch.
Inputs tensor_batches(const std::string &path, const std::vector<std::int64_t> &sample) {
  std::vector<std::int64_t> shape;
  std::vector<float> values = read_tensor_file(path, shape);
  std::int64_t per = 1;
  for (std::int64_t d : sample) per *= d;
  std::vector<std::int64_t> want = {-1};
  want.insert(want.end(), sample.begin(), sample.end());
  if (!shape.empty() && (shape.size() != sample.size() + 1 ||
                         !std::equal(sample.begin(), sample.end(), shape.begin() + 1)))
    fail(path + ": tensor of shape " + shape_text(shape) + ", the kernel takes " + shape_text(want, "N"));
  if (values.empty() || values.size() % std::size_t(per))
    fail(path + ": " + std::to_string(values.size()) + " float32 values are not a whole number (> 0) of inputs of " +
         shape_text(want, "N") + " (" + std::to_string(per) + " values each)");
  // A NaN or infinity would flow through every layer into the logits and
  // make an arbitrary prediction: refused, naming the input and element.
  for (std::size_t k = 0; k < values.size(); ++k)
    if (!std::isfinite(values[k]))
      fail(path + ": input " + std::to_string(k / std::size_t(per)) + " holds " + std::to_string(values[k]) +
           " at element " + std::to_string(k % std::size_t(per)) + " (inputs must be finite)");
  Inputs in;
  in.source = path;
  in.count = std::int64_t(values.size()) / per;
  if (limitOpt > 0 && limitOpt < in.count) in.count = limitOpt;
  for (std::int64_t first = 0; first < in.count; first += batchOpt) {
    const std::int64_t n = std::min<std::int64_t>(batchOpt, in.count - first);
    std::vector<std::int64_t> batch_shape = {n};
    batch_shape.insert(batch_shape.end(), sample.begin(), sample.end());
    in.batches.push_back(std::make_unique<HostTensor>(halide_type_t(halide_type_float, 32), batch_shape));
    std::copy(values.begin() + first * per, values.begin() + (first + n) * per, in.batches.back()->data<float>());
  }
  return in;
}

/// Every input's prediction and the median seconds of a timed pass.
double run_all(Classifier &c, const Inputs &in, std::vector<std::int32_t> &predictions) {
  predictions.assign(static_cast<std::size_t>(in.count), -1);
  std::vector<double> passes;
  for (int pass = 0; pass < 1 + repeatsOpt; ++pass) { // the first pass warms up
    double seconds = 0;
    std::int64_t first = 0;
    for (auto &b : in.batches) {
      const std::int64_t n = b->shape()[0];
      seconds += c.predict(*b, n, predictions.data() + first);
      first += n;
    }
    if (pass > 0) passes.push_back(seconds);
  }
  std::sort(passes.begin(), passes.end());
  return passes[passes.size() / 2];
}

void write_predictions(const std::string &path, const Inputs &in, const std::vector<std::int32_t> &p,
                       const std::vector<std::int32_t> *other) {
  const bool labelled = !in.labels.empty();
  std::ostringstream out;
  out << "index," << (labelled ? "label," : "") << "prediction" << (other ? ",compared" : "") << "\n";
  for (std::size_t i = 0; i < p.size(); ++i) {
    out << i << ",";
    if (labelled) out << in.labels[i] << ",";
    out << p[i];
    if (other) out << "," << (*other)[i];
    out << "\n";
  }
  std::string error;
  if (!write_atomically(path, out.str(), error)) fail(error);
}

/// cpq-run MODEL.cpqz --info: a compressed model's tensors and its cost.
void print_compressed_info(const Model &m, const CompressionAccount &a) {
  std::printf("%s: compressed model of kernel %s (function %s)\n", m.path().c_str(), m.kernel_prefix().c_str(),
              m.kernel().function().c_str());
  std::printf("  %-34s %-5s %-16s %10s  %s\n", "tensor", "dtype", "shape", "bytes", "holds");
  for (const ModelTensorInfo &t : m.tensors())
    std::printf("  %-34s %-5s %-16s %10lld  %s\n", t.name.c_str(), t.dtype.c_str(), shape_text(t.shape).c_str(),
                (long long)t.bytes, t.layout.empty() ? (std::to_string(t.elements) + " values").c_str() : t.layout.c_str());
  std::printf("  compression      %.2fx  (%lld parameters at 32 bits against %lld bits, as Choi et al. count)\n",
              a.ratio(), (long long)a.parameters, (long long)a.total_bits());
  std::printf("  bits             indices %lld, index codes %lld, codebooks %lld, gaps %lld, gap code %lld, "
              "stored as they are %lld\n",
              (long long)a.index_bits, (long long)a.index_table_bits, (long long)a.codebook_bits, (long long)a.gap_bits,
              (long long)a.gap_table_bits, (long long)a.plain_bits);
  std::printf("  kept             %lld of %lld coded values, %.3f bits each with everything\n", (long long)a.kept,
              (long long)a.coded, a.bits_per_coded_value());
  std::printf("  file on disk     %10lld bytes = %.1f KiB (header %lld bytes): %.1fx smaller than float32\n",
              (long long)m.file_bytes(), double(m.file_bytes()) / 1024.0, (long long)m.header_bytes(),
              m.file_bytes() ? 4.0 * double(a.parameters) / double(m.file_bytes()) : 0.0);
}

/// cpq-run MODEL --info: the tensors of a packed model file, its size on
/// disk and the size of the same tensors in float32.
void print_info(const std::string &path) {
  if (!is_model_file(path))
    fail(path + ": --info reads a model file (.safetensors of cpq-compile --model, .cpqz of cpq-compress)");
  std::string error;
  std::unique_ptr<Model> m = Model::load(path, error, load_options());
  if (!m) fail(error);
  if (const CompressionAccount *a = m->compression()) return print_compressed_info(*m, *a);
  std::printf("%s: packed model of kernel %s (function %s)\n", path.c_str(), m->kernel_prefix().c_str(),
              m->kernel().function().c_str());
  std::printf("  %-34s %-5s %-12s %10s  %s\n", "tensor", "dtype", "shape", "bytes", "holds");
  std::int64_t packed = 0, weights = 0, floats = 0, float_values = 0, fp32 = 0, sums = 0;
  for (const ModelTensorInfo &t : m->tensors()) {
    std::string holds =
        t.layout.empty() ? std::to_string(t.elements) + (t.elements == 1 ? " value" : " values") : t.layout;
    if (!t.layout.empty()) {
      // "signed 2-bit weight [64, 32, 5, 5]: <how the bits lie>", then the
      // layout the file records (older files: the description only).
      const std::size_t colon = holds.find(':');
      const char *layout = !t.weight_layout                             ? nullptr
                           : *t.weight_layout == cpq::WeightLayout::Panels  ? "panel layout"
                           : *t.weight_layout == cpq::WeightLayout::BitRows ? "bit rows"
                           : t.rows_to_panels                               ? "rows of cpq.pack, laid out as panels when loaded"
                                                                            : "rows of cpq.pack";
      holds = holds.substr(0, colon) + " (" + std::to_string(t.elements) + " weights" +
              (layout ? std::string(", ") + layout : std::string()) + ")";
      packed += t.bytes, weights += t.elements;
    } else if (t.dtype == "I32") { // weights' level sums, derived: no float32 counterpart
      sums += t.bytes;
      holds += " (sums of weight levels)";
    } else {
      floats += t.bytes, float_values += t.elements;
    }
    if (t.dtype != "I32") fp32 += 4 * t.elements;
    std::printf("  %-34s %-5s %-12s %10lld  %s\n", t.name.c_str(), t.dtype.c_str(), shape_text(t.shape).c_str(),
                (long long)t.bytes, holds.c_str());
  }
  const double kib = 1024.0;
  std::printf("  packed weights   %10lld bytes  (%lld weights, %.3f bits each with padding)\n", (long long)packed,
              (long long)weights, weights ? 8.0 * double(packed) / double(weights) : 0.0);
  std::printf("  other values     %10lld bytes  (%lld: requantization scales and biases, quantizer steps)\n",
              (long long)floats, (long long)float_values);
  if (sums)
    std::printf("  level sums       %10lld bytes  (per output, for layers on int8 activations)\n", (long long)sums);
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
  if (!tensorOpt.empty() && !imagesOpt.empty()) fail("--tensor and --images exclude each other");
  if (tensorOpt.empty() && imagesOpt.empty() != labelsOpt.empty()) fail("--images and --labels go together");
  if (infoOpt) {
    print_info(kernelOpt);
    return 0;
  }

  Inputs in;
  std::unique_ptr<Classifier> main_kernel, other;
  std::string labels = labelsOpt;
  if (!tensorOpt.empty()) {
    main_kernel = std::make_unique<Classifier>(kernelOpt, std::vector<std::int64_t>{});
    in = tensor_batches(tensorOpt, main_kernel->input_shape);
    if (!labels.empty()) {
      cpq::idx::Array l;
      std::string error;
      if (!cpq::idx::read(labels, l, error)) fail(error);
      if (l.dims.size() != 1) fail(labels + ": not a label file (" + std::to_string(l.dims.size()) + " dimensions)");
      if (std::int64_t(l.data.size()) < in.count)
        fail(labels + ": " + std::to_string(l.data.size()) + " labels for " + std::to_string(in.count) + " inputs");
      in.labels.assign(l.data.begin(), l.data.begin() + in.count);
    }
  } else {
    std::string images = imagesOpt;
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
    main_kernel = std::make_unique<Classifier>(kernelOpt, std::vector<std::int64_t>{1, data.rows, data.cols});
    in = image_batches(data, images);
  }
  if (!compareOpt.empty()) other = std::make_unique<Classifier>(compareOpt, main_kernel->input_shape);
  for (std::int32_t l : in.labels)
    if (l >= main_kernel->classes)
      fail(labels + ": label " + std::to_string(l) + " is not one of the kernel's " +
           std::to_string(main_kernel->classes) + " classes");

  const bool labelled = !in.labels.empty();
  auto accuracy = [&](const std::vector<std::int32_t> &p) {
    std::int64_t correct = 0;
    for (std::size_t i = 0; i < p.size(); ++i) correct += p[i] == in.labels[i];
    return 100.0 * double(correct) / double(p.size());
  };
  std::vector<std::int32_t> predictions, compared;
  const double seconds = run_all(*main_kernel, in, predictions);
  std::printf("%s on %lld %s (%s), batch %d\n", kernelOpt.c_str(), (long long)in.count,
              tensorOpt.empty() ? "images" : "inputs", in.source.c_str(), batchOpt.getValue());
  if (labelled)
    std::printf("  accuracy     %.2f %%\n", accuracy(predictions));
  else
    std::printf("  accuracy     (no labels)\n");
  std::printf("  speed        %.0f %s/s (median of %d passes, kernel calls only)\n", double(in.count) / seconds,
              tensorOpt.empty() ? "images" : "inputs", repeatsOpt.getValue());
  if (other) {
    const double other_seconds = run_all(*other, in, compared);
    std::int64_t same = 0;
    for (std::size_t i = 0; i < predictions.size(); ++i) same += predictions[i] == compared[i];
    std::printf("%s\n", compareOpt.c_str());
    if (labelled) std::printf("  accuracy     %.2f %%\n", accuracy(compared));
    std::printf("  speed        %.0f %s/s\n", double(in.count) / other_seconds, tensorOpt.empty() ? "images" : "inputs");
    std::printf("agreement      %.2f %% of predictions equal (%lld of %lld differ)", 100.0 * double(same) / double(in.count),
                (long long)(in.count - same), (long long)in.count);
    if (labelled) std::printf("; accuracy difference %+.2f points", accuracy(predictions) - accuracy(compared));
    std::printf("\n");
  }
  if (!predictionsOpt.empty()) write_predictions(predictionsOpt, in, predictions, other ? &compared : nullptr);
  return 0;
}
