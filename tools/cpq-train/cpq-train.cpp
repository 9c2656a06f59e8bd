//===- cpq-train.cpp - train a cpq network on an IDX image set ---------------===//
//
// cpq-train net.mlir --bits W2A2 --dropbits 0.25 --epochs 2 -o runs/lenet5-w2a2
//
// Quantizes the network (--cpq-quantize-network), expands it into
// train_step/eval_step (cpq-train-pipeline), compiles both with the hand
// schedules into shared objects (cached by the module's text, the target and
// this executable), then trains with the kernels' Adam (or SGD) on
// Fashion-MNIST (or any IDX image set), a cosine learning-rate schedule,
// per-epoch test evaluation, a CSV log, atomic checkpoints that --resume
// continues bit for bit, and a closing summary (accuracy, per-tensor
// bit-widths, model size, images/s; also as summary.json).
//
//===----------------------------------------------------------------------===//
#include "network_kernels.h"

#include "cpq/kernels/gates.h"
#include "cpq/runtime/atomic_file.h"
#include "cpq/runtime/batches.h"
#include "cpq/runtime/checkpoint.h"
#include "cpq/runtime/idx.h"
#include "cpq/runtime/init.h"
#include "cpq/runtime/kernel.h"
#include "cpq/runtime/safetensors.h"
#include "cpq/runtime/tensor.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace cl = llvm::cl;
namespace fs = std::filesystem;
using namespace cpq::runtime;

static cl::OptionCategory trainOptions("cpq-train options");
static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<network .mlir>"), cl::Required, cl::cat(trainOptions));
static cl::opt<std::string> bitsOpt("bits", cl::desc("FP32 (the network as written) or WnAm, e.g. W2A2"),
                                    cl::init("FP32"), cl::cat(trainOptions));
static cl::opt<double> dropbitsOpt("dropbits", cl::desc("DropBits probability p (0: off)"), cl::init(0.0), cl::cat(trainOptions));
static cl::opt<int> inputBitsOpt("input-bits", cl::desc("bits of the input images when quantizing (0: float)"),
                                 cl::init(8), cl::cat(trainOptions));
static cl::opt<bool> learnBitsOpt("learn-bits", cl::desc("learn each tensor's bit-width (up to --bits) with gates"), cl::cat(trainOptions));
static cl::opt<double> gateLambdaOpt("gate-lambda", cl::desc("L0 weight of the gates' expected bits"), cl::init(0.0), cl::cat(trainOptions));
static cl::opt<int> epochsOpt("epochs", cl::desc("epochs to train"), cl::init(10), cl::cat(trainOptions));
static cl::opt<int> batchOpt("batch", cl::desc("batch size"), cl::init(64), cl::cat(trainOptions));
static cl::opt<double> lrOpt("lr", cl::desc("peak learning rate"), cl::init(1e-3), cl::cat(trainOptions));
static cl::opt<std::string> scheduleOpt("lr-schedule", cl::desc("cosine (to 0 over the run) or constant"),
                                        cl::init("cosine"), cl::cat(trainOptions));
static cl::opt<std::string> optimizerOpt("optimizer", cl::desc("adam or sgd"), cl::init("adam"), cl::cat(trainOptions));
static cl::opt<double> scaleFloorOpt("scale-floor",
                                     cl::desc("quantizer alpha and sigma stay at or above this fraction of their initial value"),
                                     cl::init(0.01), cl::cat(trainOptions));
static cl::opt<double> sigmaFloorOpt("sigma-floor",
                                     cl::desc("quantizer sigma stays at or above this fraction of its initial value"),
                                     cl::init(1.0), cl::cat(trainOptions));
static cl::opt<std::string> scaleStepOpt("scale-step",
                                         cl::desc("optimizer steps of quantizer alpha and sigma: absolute, or relative "
                                                  "(in log space, a fraction of the scale per step)"),
                                         cl::init("absolute"), cl::cat(trainOptions));
static cl::opt<std::string> weightGridOpt("weight-grid",
                                          cl::desc("grid of quantized weights: signed, or symmetric (binary at 1 bit)"),
                                          cl::init("signed"), cl::cat(trainOptions));
static cl::opt<double> actRangeOpt("act-range",
                                   cl::desc("initial range [0, r] of the activation grids (alpha = r / (2^bits - 1))"),
                                   cl::init(1.0), cl::cat(trainOptions));
static cl::opt<double> weightDecayOpt("weight-decay", cl::desc("weight decay (decoupled for Adam)"), cl::init(0.0), cl::cat(trainOptions));
static cl::opt<unsigned long long> seedOpt("seed", cl::desc("seed of initialisation, shuffling and DropBits"),
                                           cl::init(1), cl::cat(trainOptions));
static cl::opt<std::string> dataOpt("data", cl::desc("folder of train-/t10k- IDX files (gzip or plain)"),
                                    cl::init(cpq::idx::kFashionMnistDir), cl::cat(trainOptions));
static cl::opt<int> trainLimitOpt("train-limit", cl::desc("use only the first N training images (0: all)"),
                                  cl::init(0), cl::cat(trainOptions));
static cl::opt<int> testLimitOpt("test-limit", cl::desc("use only the first N test images (0: all)"), cl::init(0), cl::cat(trainOptions));
static cl::opt<std::string> outOpt("o", cl::desc("run folder: log.csv, checkpoint, params, summary"),
                                   cl::value_desc("folder"), cl::cat(trainOptions));
static cl::opt<bool> resumeOpt("resume", cl::desc("continue the run in the -o folder from its checkpoint"), cl::cat(trainOptions));
static cl::opt<bool> overwriteOpt("overwrite", cl::desc("start afresh in a run folder that already holds a checkpoint"),
                                  cl::cat(trainOptions));
static cl::opt<long long> checkpointEveryOpt("checkpoint-every",
                                             cl::desc("also checkpoint every N steps (0: at epoch ends only)"),
                                             cl::init(0), cl::cat(trainOptions));
static cl::opt<long long> stopAfterOpt("stop-after-steps", cl::desc("stop (with a checkpoint) after N steps of the run"),
                                       cl::init(0), cl::cat(trainOptions));
static cl::opt<std::string> cacheOpt("cache", cl::desc("kernel cache folder (default $XDG_CACHE_HOME/cpq or ~/.cache/cpq)"), cl::cat(trainOptions));
static cl::opt<std::string> initFromOpt("init-from",
                                        cl::desc("start from the parameters of this safetensors file (e.g. a float "
                                                 "run's params.safetensors) where names match"),
                                        cl::init(""), cl::cat(trainOptions));
static cl::opt<std::string> targetOpt("target", cl::desc("Halide target of the kernels"), cl::init("host"), cl::cat(trainOptions));
static cl::opt<bool> quietOpt("quiet", cl::desc("no progress output"), cl::cat(trainOptions));

namespace {

[[noreturn]] void fail(const std::string &message) {
  std::fflush(stdout);
  std::fprintf(stderr, "cpq-train: error: %s\n", message.c_str());
  std::exit(1);
}

void note(const std::string &message) {
  if (!quietOpt) std::fprintf(stderr, "cpq-train: %s\n", message.c_str());
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::string read_text(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_atomically(const std::string &path, const std::string &text) {
  std::string error;
  if (!cpq::runtime::write_atomically(path, text, error)) fail(error);
}

std::string hex(std::uint64_t v) {
  char b[17];
  std::snprintf(b, sizeof b, "%016llx", static_cast<unsigned long long>(v));
  return b;
}

std::uint64_t fnv1a64(const std::string &text) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
  return h;
}

/// An exact text form of a double (for sums kept across a resume).
std::string exact(double v) {
  char b[64];
  std::snprintf(b, sizeof b, "%a", v);
  return b;
}

struct Bits {
  int weights = 0, activations = 0; // 0: float
};

Bits parse_bits(const std::string &s) {
  if (s == "FP32" || s == "fp32") return {};
  int w = 0, a = 0;
  char tail = 0;
  if (std::sscanf(s.c_str(), "W%dA%d%c", &w, &a, &tail) != 2 || w < 1 || w > 8 || a < 1 || a > 8)
    fail("--bits must be FP32 or WnAm with n, m in 1..8 (e.g. W2A2); got '" + s + "'");
  return {w, a};
}

std::unique_ptr<Kernel> load_kernel(const std::string &prefix) {
  std::string error;
  auto k = Kernel::load(prefix, error);
  if (!k) fail(error);
  return k;
}

cpq::idx::LabelledImages load_data(const std::string &split, int limit) {
  const std::string images = cpq::idx::split_file(dataOpt, split + "-images-idx3-ubyte"),
                    labels = cpq::idx::split_file(dataOpt, split + "-labels-idx1-ubyte");
  cpq::idx::LabelledImages d;
  std::string error;
  if (!cpq::idx::read_labelled(images, labels, 10, d, error)) fail(error);
  if (limit > 0 && limit < d.count) {
    d.count = limit;
    d.images.resize(static_cast<std::size_t>(limit * d.rows * d.cols));
    d.labels.resize(static_cast<std::size_t>(limit));
  }
  return d;
}

/// The run's configuration as one line; a resumed run must have the same.
std::string configuration(const std::string &key_text) {
  std::ostringstream s;
  s << "net=" << hex(fnv1a64(key_text)) << " bits=" << bitsOpt << " dropbits=" << dropbitsOpt
    << " learn-bits=" << learnBitsOpt << " gate-lambda=" << gateLambdaOpt << " epochs=" << epochsOpt
    << " batch=" << batchOpt << " lr=" << lrOpt << " lr-schedule=" << scheduleOpt << " seed=" << seedOpt
    << " train-limit=" << trainLimitOpt << " data=" << dataOpt;
  if (!initFromOpt.empty()) s << " init-from=" << initFromOpt;
  return s.str();
}

double learning_rate(std::int64_t step, std::int64_t total) {
  if (scheduleOpt == "constant" || total <= 0) return lrOpt;
  return lrOpt * 0.5 * (1.0 + std::cos(M_PI * static_cast<double>(step) / static_cast<double>(total)));
}

/// One line of progress, rewritten in place on a terminal.
class Progress {
public:
  explicit Progress(bool enabled) : enabled_(enabled && !quietOpt), tty_(::isatty(2)) {}
  void update(int epoch, std::int64_t done, std::int64_t total, double loss, double acc, double img_s) {
    if (!enabled_) return;
    const double f = total ? static_cast<double>(done) / static_cast<double>(total) : 1.0;
    if (!tty_) { // a line at each quarter of an epoch
      const int quarter = static_cast<int>(f * 4);
      if (quarter == last_quarter_ && done != total) return;
      last_quarter_ = quarter;
    }
    const int width = 24, filled = static_cast<int>(f * width);
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.resize(width, '.');
    const double eta = img_s > 0 ? (static_cast<double>(total - done) * batchOpt) / img_s : 0;
    std::fprintf(stderr, "%sepoch %d/%d [%s] %3.0f%%  loss %.4f  acc %5.2f%%  %6.0f img/s  eta %3.0f s%s",
                 tty_ ? "\r" : "", epoch + 1, epochsOpt.getValue(), bar.c_str(), 100 * f, loss, 100 * acc, img_s,
                 eta, tty_ ? "" : "\n");
    if (tty_ && done == total) std::fprintf(stderr, "\n");
    std::fflush(stderr);
  }
  void reset() { last_quarter_ = -1; }

private:
  bool enabled_, tty_;
  int last_quarter_ = -1;
};

/// Images enter as byte / 255, in [0, 1]: the quantized networks' 8-bit
/// unsigned input grid (step 1/255) then holds every pixel exactly, where a
/// mean/std normalisation would clip the dark and the bright ones.
constexpr Normalisation kInput{0.0f, 1.0f};

struct Evaluation {
  double loss = 0, accuracy = 0;
};

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(trainOptions);
  cl::ParseCommandLineOptions(argc, argv,
                              "cpq-train: trains a cpq network (optionally quantized with CPQ) on an IDX image set\n");
  const Bits bits = parse_bits(bitsOpt);
  if (epochsOpt < 1) fail("--epochs must be at least 1");
  if (batchOpt < 1) fail("--batch must be at least 1");
  if (!(lrOpt > 0)) fail("--lr must be positive");
  if (scheduleOpt != "cosine" && scheduleOpt != "constant") fail("--lr-schedule must be cosine or constant");
  if (dropbitsOpt < 0 || dropbitsOpt >= 1) fail("--dropbits must be in [0, 1)");
  if (!(actRangeOpt > 0) || !std::isfinite(actRangeOpt)) fail("--act-range must be a positive number");
  if (weightGridOpt != "signed" && weightGridOpt != "symmetric") fail("--weight-grid must be signed or symmetric");
  if (weightGridOpt == "symmetric" && (dropbitsOpt > 0 || learnBitsOpt))
    fail("--dropbits and --learn-bits need the signed weight grid (the symmetric one has no nested sub-grids)");
  if (!(scaleFloorOpt >= 0) || !std::isfinite(scaleFloorOpt)) fail("--scale-floor must be a number >= 0");
  if (!(sigmaFloorOpt >= 0) || !std::isfinite(sigmaFloorOpt)) fail("--sigma-floor must be a number >= 0");
  if (scaleStepOpt != "absolute" && scaleStepOpt != "relative") fail("--scale-step must be absolute or relative");
  if (trainLimitOpt < 0 || testLimitOpt < 0) fail("--train-limit and --test-limit must not be negative");
  const std::string stem = fs::path(inputFile.getValue()).stem().string();
  std::string out = outOpt;
  if (out.empty()) {
    std::string b = bitsOpt;
    for (char &c : b) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out = "runs/" + stem + "-" + b + "-seed" + std::to_string(seedOpt);
  }
  const std::string checkpoint_path = out + "/checkpoint.safetensors";
  if (resumeOpt && !fs::exists(checkpoint_path))
    fail(checkpoint_path + ": no checkpoint to resume from (run without --resume to start)");
  if (resumeOpt && overwriteOpt) fail("--resume and --overwrite exclude each other");
  if (!resumeOpt && !overwriteOpt && fs::exists(checkpoint_path))
    fail(checkpoint_path + ": the run folder already holds a run; continue it with --resume, start it afresh with "
                           "--overwrite, or choose another -o");

  // Data first: a missing or damaged file should not wait for a compile.
  const cpq::idx::LabelledImages train = load_data("train", trainLimitOpt);
  const cpq::idx::LabelledImages test = load_data("t10k", testLimitOpt);

  if (!bits.weights && (dropbitsOpt != 0.0 || learnBitsOpt))
    fail("--dropbits and --learn-bits need a quantized network (--bits WnAm)");
  cpq::train::NetworkOptions options;
  options.weight_bits = bits.weights, options.activation_bits = bits.activations;
  options.input_bits = inputBitsOpt, options.dropbits = dropbitsOpt, options.learn_bits = learnBitsOpt;
  options.gate_lambda = gateLambdaOpt, options.optimizer = optimizerOpt, options.weight_decay = weightDecayOpt;
  options.scale_floor = scaleFloorOpt, options.sigma_floor = sigmaFloorOpt, options.activation_range = actRangeOpt;
  options.weight_grid = weightGridOpt, options.scale_step = scaleStepOpt;
  cpq::train::PreparedNetwork p;
  std::string error;
  if (!cpq::train::prepare_network(inputFile, options, p, error)) fail(error);
  std::string kernels;
  if (!cpq::train::compiled_kernels(p, cacheOpt.empty() ? cpq::train::default_cache() : cacheOpt.getValue(),
                                    targetOpt, quietOpt, kernels, error))
    fail(error);
  auto step_kernel = load_kernel(kernels + "/train_step");
  auto eval_kernel = load_kernel(kernels + "/eval_step");

  // Tensors of every argument, at the training batch.
  std::map<std::string, std::unique_ptr<HostTensor>> tensors;
  const KernelArgument *input_arg = step_kernel->argument("input");
  if (!input_arg || input_arg->shape.size() != 4 || input_arg->shape[1] != 1)
    fail(inputFile + ": the network's input must be [batch, 1, rows, cols] images");
  if (input_arg->shape[2] != train.rows || input_arg->shape[3] != train.cols)
    fail(inputFile + ": the network takes " + std::to_string(input_arg->shape[2]) + "x" +
         std::to_string(input_arg->shape[3]) + " images; the data in " + dataOpt.getValue() + " are " +
         std::to_string(train.rows) + "x" + std::to_string(train.cols));
  for (const KernelArgument &a : step_kernel->arguments())
    if (a.buffer) tensors[a.name] = std::make_unique<HostTensor>(a, batchOpt);
  const auto checkpointed = checkpointed_arguments(*step_kernel);

  const std::map<std::string, std::string> &param_of_arg = p.param_of_arg;

  const std::int64_t steps_per_epoch = (train.count + batchOpt - 1) / batchOpt;
  const std::int64_t total_steps = steps_per_epoch * epochsOpt;
  const std::string config = configuration(p.training_text);
  std::int64_t step = 0;
  double loss_sum = 0;
  std::int64_t correct_sum = 0, seen = 0;
  std::vector<std::string> log_rows;
  const std::string log_header =
      "epoch,step,lr,train_loss,train_accuracy,test_loss,test_accuracy,train_images_per_s,seconds";

  std::error_code ec;
  fs::create_directories(out, ec);
  if (ec) fail(out + ": cannot create the run folder (" + ec.message() + ")");
  if (resumeOpt) {
    TrainingState state;
    std::string error;
    if (!load_checkpoint(checkpoint_path, *step_kernel, state, error)) fail(error);
    if (state.metadata["cpq.config"] != config)
      fail(checkpoint_path + ": made by a run of another configuration:\n  " + state.metadata["cpq.config"] +
           "\nthis run:\n  " + config);
    try {
      step = std::stoll(state.metadata.at("cpq.step"));
      loss_sum = std::strtod(state.metadata.at("cpq.epoch_loss_sum").c_str(), nullptr);
      correct_sum = std::stoll(state.metadata.at("cpq.epoch_correct"));
      seen = std::stoll(state.metadata.at("cpq.epoch_seen"));
    } catch (const std::exception &) {
      fail(checkpoint_path + ": its metadata lacks the run's position (cpq.step, cpq.epoch_*)");
    }
    if (step < 0 || step > total_steps || seen < 0 || correct_sum < 0 || correct_sum > seen ||
        seen > train.count || !std::isfinite(loss_sum))
      fail(checkpoint_path + ": its metadata holds an impossible position (step " + std::to_string(step) + " of " +
           std::to_string(total_steps) + ", " + std::to_string(seen) + " images seen this epoch)");
    for (const KernelArgument *a : checkpointed) tensors[a->name]->assign_floats(state.tensors[a->name]);
    std::istringstream log(read_text(out + "/log.csv"));
    std::string line;
    std::getline(log, line);
    const std::int64_t epochs_done = step / steps_per_epoch;
    while (static_cast<std::int64_t>(log_rows.size()) < epochs_done && std::getline(log, line))
      log_rows.push_back(line);
    if (static_cast<std::int64_t>(log_rows.size()) != epochs_done)
      fail(out + "/log.csv: has fewer epochs than the checkpoint (" + std::to_string(epochs_done) + ")");
    note("resuming at step " + std::to_string(step) + " of " + std::to_string(total_steps));
  } else {
    for (const KernelArgument *a : checkpointed) {
      std::vector<float> values;
      if (a->role == "param") {
        auto it = param_of_arg.find(a->name);
        if (it == param_of_arg.end()) fail("train_step argument '" + a->name + "' is no known parameter");
        std::string error;
        if (!initial_value(it->second, p.init.at(it->second), a->shape, seedOpt, values, error))
          fail(inputFile + ": " + error);
        tensors[a->name]->assign_floats(values);
      } // optimizer state starts at zero
    }
    if (!initFromOpt.empty()) { // parameters of the same name from a file (fine-tuning a trained network)
      cpq::safetensors::File from;
      std::string error;
      if (!cpq::safetensors::read(initFromOpt, from, error)) fail(error);
      int loaded = 0;
      for (const KernelArgument *a : checkpointed) {
        if (a->role != "param") continue;
        const cpq::safetensors::Tensor *t = from.find(param_of_arg.at(a->name));
        if (!t) continue;
        if (t->dtype != "F32" || t->shape != a->shape)
          fail(initFromOpt + ": '" + t->name + "' is " + t->dtype + " of another shape than the network's parameter");
        tensors[a->name]->assign_floats(t->as_f32());
        ++loaded;
      }
      if (loaded == 0) fail(initFromOpt + ": holds none of the network's parameters");
      note("started from " + std::to_string(loaded) + " parameters of " + initFromOpt);
    }
  }

  auto save = [&](const std::string &why) {
    TrainingState state;
    for (const KernelArgument *a : checkpointed) state.tensors[a->name] = tensors[a->name]->to_floats();
    state.metadata = {{"cpq.config", config},
                      {"cpq.step", std::to_string(step)},
                      {"cpq.epoch_loss_sum", exact(loss_sum)},
                      {"cpq.epoch_correct", std::to_string(correct_sum)},
                      {"cpq.epoch_seen", std::to_string(seen)},
                      {"cpq.saved_at", why}};
    std::string error;
    if (!save_checkpoint(checkpoint_path, *step_kernel, state, error)) fail(error);
    // The trained parameters under their network names, for
    // cpq-opt --cpq-inference-pipeline=params=... on network.mlir.
    cpq::safetensors::File params;
    params.metadata["cpq.network"] = p.name;
    for (const KernelArgument *a : checkpointed)
      if (a->role == "param") {
        const std::string &name = param_of_arg.at(a->name);
        params.tensors.push_back(cpq::safetensors::make_f32(name, a->shape, state.tensors[a->name]));
      }
    if (!cpq::safetensors::write(out + "/params.safetensors", params, error)) fail(error);
  };
  auto write_log = [&] {
    std::string text = log_header + "\n";
    for (const std::string &r : log_rows) text += r + "\n";
    write_atomically(out + "/log.csv", text);
  };
  write_atomically(out + "/network.mlir", p.network_text);
  if (!resumeOpt) write_log();

  // Evaluation on the test set with eval_step, in batches of up to 1000.
  auto evaluate = [&]() -> Evaluation {
    const std::int64_t eb = std::min<std::int64_t>(1000, test.count);
    std::map<std::string, std::unique_ptr<HostTensor>> et;
    for (const KernelArgument &a : eval_kernel->arguments())
      if (a.buffer && a.role != "param") et[a.name] = std::make_unique<HostTensor>(a, eb);
    std::vector<std::uint32_t> order(static_cast<std::size_t>(test.count));
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<std::uint32_t>(i);
    double loss = 0;
    std::int64_t correct = 0;
    for (std::int64_t first = 0; first < test.count; first += eb) {
      const std::int64_t n = std::min(eb, test.count - first);
      if (n != eb)
        for (const KernelArgument &a : eval_kernel->arguments())
          if (a.buffer && a.role != "param") et[a.name] = std::make_unique<HostTensor>(a, n);
      std::string error;
      if (!fill_batch(test, order, static_cast<std::size_t>(first), static_cast<std::size_t>(n),
                      kInput, et["input"]->data<float>(), et["labels"]->data<std::int32_t>(),
                      error))
        fail(error);
      std::map<std::string, halide_buffer_t *> buffers;
      for (const KernelArgument &a : eval_kernel->arguments()) {
        if (!a.buffer) continue;
        buffers[a.name] = a.role == "param" ? tensors.at(a.name)->buffer() : et.at(a.name)->buffer();
      }
      if (!eval_kernel->call(buffers, {}, error)) fail("eval_step: " + error);
      loss += static_cast<double>(et["loss"]->data<float>()[0]) * static_cast<double>(n);
      correct += et["correct"]->data<std::int32_t>()[0];
    }
    return {loss / static_cast<double>(test.count), static_cast<double>(correct) / static_cast<double>(test.count)};
  };

  note("training " + stem + " " + bitsOpt.getValue() + (dropbitsOpt > 0 ? " with DropBits" : "") + " on " +
       std::to_string(train.count) + " images, " + std::to_string(epochsOpt) + " epochs of " +
       std::to_string(steps_per_epoch) + " steps, batch " + std::to_string(batchOpt) + "; run folder " + out);
  Progress progress(true);
  double train_seconds = 0;
  std::int64_t train_images = 0;
  Evaluation last{};
  bool stopped = false;
  const auto run_start = std::chrono::steady_clock::now();
  while (step < total_steps) {
    const std::int64_t epoch = step / steps_per_epoch;
    const auto order = epoch_order(static_cast<std::uint32_t>(train.count), seedOpt, static_cast<std::uint64_t>(epoch));
    const auto epoch_start = std::chrono::steady_clock::now();
    std::int64_t epoch_images = 0;
    double epoch_compute = 0;
    progress.reset();
    for (std::int64_t b = step % steps_per_epoch; b < steps_per_epoch; ++b) {
      const std::int64_t first = b * batchOpt, n = std::min<std::int64_t>(batchOpt, train.count - first);
      if (tensors["input"]->shape()[0] != n) // the last, smaller batch
        for (const KernelArgument &a : step_kernel->arguments())
          if (a.buffer && (a.role == "input" || a.role == "labels"))
            tensors[a.name] = std::make_unique<HostTensor>(a, n);
      std::string error;
      if (!fill_batch(train, order, static_cast<std::size_t>(first), static_cast<std::size_t>(n),
                      kInput, tensors["input"]->data<float>(),
                      tensors["labels"]->data<std::int32_t>(), error))
        fail(error);
      std::map<std::string, halide_buffer_t *> buffers;
      for (auto &[name, t] : tensors) buffers[name] = t->buffer();
      const std::map<std::string, Scalar> scalars = {
          {"step", Scalar::of_int(step)},
          {"seed", Scalar::of_int(static_cast<std::int64_t>(seedOpt))},
          {"learning_rate", Scalar::of(learning_rate(step, total_steps))}};
      const auto t0 = std::chrono::steady_clock::now();
      if (!step_kernel->call(buffers, scalars, error)) fail("train_step: " + error);
      epoch_compute += seconds_since(t0);
      const float loss = tensors["loss"]->data<float>()[0];
      if (!std::isfinite(loss))
        fail("the loss became " + std::to_string(loss) + " at step " + std::to_string(step) +
             " (try a smaller --lr)");
      for (const KernelArgument &a : step_kernel->arguments())
        if (a.output && a.buffer && a.role == "param") {
          const HostTensor &t = *tensors.at(a.name);
          const float *v = t.data<float>();
          for (std::size_t e = 0; e < t.count(); ++e)
            if (!std::isfinite(v[e]))
              fail("parameter '" + param_of_arg.at(a.name.substr(0, a.name.size() - 4)) + "' became " +
                   std::to_string(v[e]) + " at step " + std::to_string(step) + " (try a smaller --lr)");
        }
      for (const KernelArgument &a : step_kernel->arguments())
        if (a.output && a.buffer && (a.role == "param" || a.role == "state")) {
          const std::string in = a.name.substr(0, a.name.size() - 4); // "<name>_out"
          tensors.at(in)->swap(*tensors.at(a.name));
        }
      loss_sum += static_cast<double>(loss) * static_cast<double>(n);
      correct_sum += tensors["correct"]->data<std::int32_t>()[0];
      seen += n;
      epoch_images += n;
      ++step;
      const double img_s = epoch_compute > 0 ? static_cast<double>(epoch_images) / epoch_compute : 0;
      progress.update(static_cast<int>(epoch), b + 1, steps_per_epoch, loss_sum / static_cast<double>(seen),
                      static_cast<double>(correct_sum) / static_cast<double>(seen), img_s);
      const bool stop_now = stopAfterOpt > 0 && step >= stopAfterOpt && step < total_steps;
      if (b + 1 < steps_per_epoch &&
          (stop_now || (checkpointEveryOpt > 0 && step % checkpointEveryOpt == 0)))
        save("step " + std::to_string(step));
      if (stop_now && b + 1 < steps_per_epoch) {
        stopped = true;
        break;
      }
    }
    train_seconds += epoch_compute;
    train_images += epoch_images;
    if (stopped) break;
    last = evaluate();
    const double img_s = epoch_compute > 0 ? static_cast<double>(epoch_images) / epoch_compute : 0;
    std::ostringstream row;
    row << std::setprecision(6) << epoch + 1 << "," << step << "," << learning_rate(step - 1, total_steps) << ","
        << loss_sum / static_cast<double>(seen) << "," << static_cast<double>(correct_sum) / static_cast<double>(seen)
        << "," << last.loss << "," << last.accuracy << "," << std::setprecision(1) << std::fixed << img_s << ","
        << seconds_since(epoch_start);
    log_rows.push_back(row.str());
    loss_sum = 0, correct_sum = 0, seen = 0;
    save("epoch " + std::to_string(epoch + 1));
    write_log();
    if (!quietOpt)
      std::fprintf(stderr, "epoch %lld/%d: test loss %.4f, test accuracy %.2f%%\n",
                   static_cast<long long>(epoch + 1), epochsOpt.getValue(), last.loss, 100 * last.accuracy);
    if (stopAfterOpt > 0 && step >= stopAfterOpt && step < total_steps) {
      stopped = true;
      break;
    }
  }
  if (stopped) {
    std::printf("stopped after step %lld of %lld (--stop-after-steps); continue with --resume\n",
                static_cast<long long>(step), static_cast<long long>(total_steps));
    return 0;
  }
  if (resumeOpt && train_images == 0) last = evaluate(); // resumed a finished run

  // Summary: accuracy, per-tensor bit-widths, model size, images/s.
  std::map<std::string, std::vector<float>> trained;
  for (const KernelArgument *a : checkpointed)
    if (a->role == "param") trained[param_of_arg.at(a->name)] = tensors[a->name]->to_floats();
  std::map<std::string, int> weight_bits;
  struct Row {
    std::string tensor, kind;
    int bits;
    std::int64_t elements;
  };
  std::vector<Row> rows;
  for (const cpq::train::QuantizerInfo &q : p.quantizers) {
    int b = q.bits;
    if (!q.gate_param.empty()) {
      const std::vector<float> &g = trained.at(q.gate_param);
      std::vector<double> log_a(g.begin(), g.end());
      b = cpq::learned_bits(q.bits, log_a.data());
    }
    rows.push_back({q.tensor, q.kind, b, q.elements});
    if (q.kind == "weight") weight_bits[q.tensor] = b;
  }
  std::int64_t model_bits = 0, fp32_bits = 0;
  for (const auto &[name, values] : trained) {
    const std::int64_t n = static_cast<std::int64_t>(values.size());
    auto it = weight_bits.find(name);
    const bool gate = name.find(".gate") != std::string::npos;
    if (!gate) fp32_bits += 32 * n;
    model_bits += it != weight_bits.end() ? it->second * n : (gate ? 0 : 32 * n);
  }
  const double img_s = train_seconds > 0 ? static_cast<double>(train_images) / train_seconds : 0;
  std::ostringstream summary;
  summary << std::fixed;
  summary << "\n" << stem << " " << bitsOpt.getValue();
  if (dropbitsOpt > 0) summary << ", DropBits p=" << std::setprecision(2) << dropbitsOpt;
  if (learnBitsOpt) summary << ", learned bit-widths";
  summary << ", " << epochsOpt << " epochs, batch " << batchOpt << ", seed " << seedOpt << "\n";
  summary << std::setprecision(2) << "  test accuracy      " << 100 * last.accuracy << " %  (loss "
          << std::setprecision(4) << last.loss << ", " << test.count << " images)\n";
  summary << std::setprecision(0) << "  training speed     " << img_s << " images/s (kernel time)\n";
  summary << std::setprecision(1) << "  wall time          " << seconds_since(run_start) << " s\n";
  summary << "  model size         " << model_bits << " bits = " << std::setprecision(1)
          << static_cast<double>(model_bits) / 8192.0 << " KiB (FP32: " << static_cast<double>(fp32_bits) / 8192.0
          << " KiB, " << std::setprecision(1) << static_cast<double>(fp32_bits) / static_cast<double>(model_bits)
          << "x smaller)\n";
  if (!rows.empty()) {
    summary << "  tensor                 kind         bits   elements\n";
    for (const Row &r : rows) {
      char line[160];
      std::snprintf(line, sizeof line, "  %-22s %-12s %4d   %8lld%s\n", r.tensor.c_str(), r.kind.c_str(), r.bits,
                    static_cast<long long>(r.elements), r.kind == "weight" ? "" : " per image");
      summary << line;
    }
  }
  std::printf("%s", summary.str().c_str());
  std::fflush(stdout);

  std::ostringstream json;
  json << std::setprecision(8) << "{\n  \"network\": \"" << stem << "\",\n  \"bits\": \"" << bitsOpt
       << "\",\n  \"dropbits\": " << dropbitsOpt << ",\n  \"learn_bits\": " << (learnBitsOpt ? "true" : "false")
       << ",\n  \"epochs\": " << epochsOpt << ",\n  \"batch\": " << batchOpt << ",\n  \"seed\": " << seedOpt
       << ",\n  \"test_accuracy\": " << last.accuracy << ",\n  \"test_loss\": " << last.loss
       << ",\n  \"train_images_per_s\": " << img_s << ",\n  \"model_bits\": " << model_bits
       << ",\n  \"fp32_bits\": " << fp32_bits << ",\n  \"tensors\": [";
  for (std::size_t i = 0; i < rows.size(); ++i)
    json << (i ? ", " : "") << "\n    {\"tensor\": \"" << rows[i].tensor << "\", \"kind\": \"" << rows[i].kind
         << "\", \"bits\": " << rows[i].bits << ", \"elements\": " << rows[i].elements << "}";
  json << "\n  ]\n}\n";
  write_atomically(out + "/summary.json", json.str());
  return 0;
}
