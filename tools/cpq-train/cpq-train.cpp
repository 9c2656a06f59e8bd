//===- cpq-train.cpp - train a cpq network on an IDX image set ---------------===//
//
// cpq-train net.mlir --bits W2A2 --dropbits 0.25 --epochs 2 -o runs/lenet5-w2a2
//
// Prepares the network (codegen/network.h: quantized with
// --cpq-quantize-network, expanded by cpq-train-pipeline, train_step and
// eval_step compiled with the hand schedules and cached), then trains it
// with cpq::runtime::Trainer (the kernels' Adam or SGD on Fashion-MNIST or
// any IDX image set, a cosine learning-rate schedule, per-epoch test
// evaluation, a CSV log, atomic checkpoints that --resume continues bit for
// bit) and prints its summary (accuracy, per-tensor bit-widths, model size,
// images/s; also RUN/summary.json).
//
//===----------------------------------------------------------------------===//
#include "codegen/network.h"
#include "cpq/runtime/idx.h"
#include "cpq/runtime/atomic_file.h"
#include "cpq/runtime/kernel.h"
#include "cpq/runtime/profile.h"
#include "cpq/runtime/roles.h"
#include "cpq/runtime/trainer.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>

namespace cl = llvm::cl;
namespace fs = std::filesystem;

static cl::OptionCategory trainOptions("cpq-train options");
static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<network .mlir>"), cl::Required, cl::cat(trainOptions));
static cl::opt<std::string> bitsOpt("bits",
                                    cl::desc("FP32 (the network as written: float, or quantized at its own bits) "
                                             "or WnAm, e.g. W2A2"),
                                    cl::init("FP32"), cl::cat(trainOptions));
static cl::opt<double> dropbitsOpt("dropbits", cl::desc("DropBits probability p (0: off)"), cl::init(0.0), cl::cat(trainOptions));
static cl::opt<std::string> dropbitsModeOpt("dropbits-mode",
                                            cl::desc("DropBits masks: hierarchical (drop the finest levels first, "
                                                     "the default) or independent (each level on its own)"),
                                            cl::init("hierarchical"), cl::cat(trainOptions));
static cl::opt<int> inputBitsOpt("input-bits", cl::desc("bits of the input images when quantizing (0: float)"),
                                 cl::init(8), cl::cat(trainOptions));
static cl::opt<bool> learnBitsOpt("learn-bits", cl::desc("learn each tensor's bit-width (up to --bits) with gates"), cl::cat(trainOptions));
static cl::opt<double> gateLambdaOpt("gate-lambda", cl::desc("L0 weight of the gates' expected bits"), cl::init(0.0), cl::cat(trainOptions));
static cl::opt<double> gateLrScaleOpt("gate-lr-scale",
                                     cl::desc("learning rate of the gate logits, a multiple of --lr (default 1)"),
                                     cl::init(1.0), cl::cat(trainOptions));
static cl::opt<double> gateInitOpt("gate-init",
                                  cl::desc("initial gate logit log_a of --learn-bits (default 3; larger: the gates "
                                           "drop levels less often while open)"),
                                  cl::init(3.0), cl::cat(trainOptions));
static cl::opt<std::string> bitsFromOpt("bits-from",
                                        cl::desc("train at the bits of each tensor in this summary.json (or run "
                                                 "folder) of an earlier run, e.g. the widths --learn-bits chose"),
                                        cl::value_desc("summary.json|run folder"), cl::init(""), cl::cat(trainOptions));
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
static cl::opt<std::string> kernelScheduleOpt("schedule",
                                              cl::desc("compile the kernels with this schedule file (cpq-tune's "
                                                       "best_schedule.json of train_step) instead of the hand schedule"),
                                              cl::value_desc("FILE"), cl::init(""), cl::cat(trainOptions));
static cl::opt<bool> profileOpt("profile",
                               cl::desc("compile the kernels to time each stage (cached apart) and print "
                                        "train_step's and eval_step's time per op and pass at the end; also "
                                        "RUN/profile.csv"),
                               cl::cat(trainOptions));
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

/// --profile: the kernels' time per op and pass, on stdout and in
/// RUN/profile.csv.
void print_profile(const cpq::runtime::Kernel &step, const cpq::runtime::Kernel &eval, const std::string &run) {
  std::string csv, error;
  bool header = true;
  for (const auto *k : {&step, &eval}) {
    cpq::runtime::KernelProfile p;
    if (!k->profile(p, error)) {
      std::printf("no profile of %s: %s\n", k->function().c_str(), error.c_str());
      continue;
    }
    std::printf("%s", cpq::runtime::profile_table(p, k->function(), 25).c_str());
    csv += cpq::runtime::profile_csv(p, k->function(), header);
    header = false;
  }
  if (!csv.empty() && !cpq::runtime::write_atomically(run + "/profile.csv", csv, error)) fail(error);
  if (!csv.empty()) std::printf("profile: %s/profile.csv\n", run.c_str());
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

void check_options(const Bits &bits) {
  if (epochsOpt < 1) fail("--epochs must be at least 1");
  if (batchOpt < 1) fail("--batch must be at least 1");
  if (!(lrOpt > 0)) fail("--lr must be positive");
  if (scheduleOpt != "cosine" && scheduleOpt != "constant") fail("--lr-schedule must be cosine or constant");
  if (dropbitsOpt < 0 || dropbitsOpt >= 1) fail("--dropbits must be in [0, 1)");
  if (dropbitsModeOpt != "hierarchical" && dropbitsModeOpt != "independent")
    fail("--dropbits-mode must be hierarchical or independent, not '" + dropbitsModeOpt + "'");
  if (dropbitsModeOpt.getNumOccurrences() && dropbitsOpt == 0.0)
    fail("--dropbits-mode needs DropBits (--dropbits P with P > 0)");
  if (!(actRangeOpt > 0) || !std::isfinite(actRangeOpt)) fail("--act-range must be a positive number");
  if (weightGridOpt != "signed" && weightGridOpt != "symmetric") fail("--weight-grid must be signed or symmetric");
  if (weightGridOpt == "symmetric" && (dropbitsOpt > 0 || learnBitsOpt))
    fail("--dropbits and --learn-bits need the signed weight grid (the symmetric one has no nested sub-grids)");
  if (!(scaleFloorOpt >= 0) || !std::isfinite(scaleFloorOpt)) fail("--scale-floor must be a number >= 0");
  if (!(sigmaFloorOpt >= 0) || !std::isfinite(sigmaFloorOpt)) fail("--sigma-floor must be a number >= 0");
  if (scaleStepOpt != "absolute" && scaleStepOpt != "relative") fail("--scale-step must be absolute or relative");
  if (trainLimitOpt < 0 || testLimitOpt < 0) fail("--train-limit and --test-limit must not be negative");
  if (resumeOpt && overwriteOpt) fail("--resume and --overwrite exclude each other");
  if (!bits.weights && (dropbitsOpt != 0.0 || learnBitsOpt))
    fail("--dropbits and --learn-bits need a quantized network (--bits WnAm)");
  if (!(gateLrScaleOpt > 0) || !std::isfinite(gateLrScaleOpt)) fail("--gate-lr-scale must be a positive number");
  if (gateLrScaleOpt.getNumOccurrences() && !learnBitsOpt) fail("--gate-lr-scale needs --learn-bits");
  if (gateInitOpt.getNumOccurrences() && !learnBitsOpt) fail("--gate-init needs --learn-bits");
  if (!(gateInitOpt > 0 && gateInitOpt <= 20)) fail("--gate-init must be in (0, 20] (an open gate)");
  if (!bitsFromOpt.empty() && !bits.weights)
    fail("--bits-from needs a quantized network (--bits WnAm: the bits of tensors the file does not name)");
  if (!bitsFromOpt.empty() && learnBitsOpt) fail("--bits-from fixes the bits; it excludes --learn-bits");
}

/// Each weight's and activation's bits in the summary.json of an earlier
/// run (`path`, or `path`/summary.json for a run folder).
std::map<std::string, int> bits_from(std::string path) {
  if (fs::is_directory(path)) path += "/summary.json";
  std::ifstream in(path);
  if (!in) fail(path + ": cannot read (--bits-from takes a run's summary.json or its folder)");
  nlohmann::json j;
  try {
    in >> j;
  } catch (const std::exception &e) {
    fail(path + ": not JSON (" + e.what() + ")");
  }
  if (!j.is_object() || !j.contains("tensors") || !j["tensors"].is_array())
    fail(path + ": no \"tensors\" list; --bits-from takes a cpq-train summary.json");
  std::map<std::string, int> bits;
  for (const nlohmann::json &t : j["tensors"]) {
    if (!t.is_object() || !t.contains("tensor") || !t["tensor"].is_string() || !t.contains("kind") ||
        !t["kind"].is_string() || !t.contains("bits") || !t["bits"].is_number_integer())
      fail(path + ": a \"tensors\" entry without tensor, kind and bits: " + t.dump());
    const std::string kind = t["kind"];
    // Read wide: get<int> would narrow 2^32 + 2 to 2 bits.
    const std::int64_t b = t["bits"].get<std::int64_t>();
    if (kind != "weight" && kind != "activation") continue; // the input keeps --input-bits
    if (b < 1 || b > 8) fail(path + ": tensor " + t["tensor"].get<std::string>() + " has " + std::to_string(b) + " bits; 1..8 expected");
    bits[t["tensor"]] = int(b);
  }
  if (bits.empty()) fail(path + ": names no quantized weight or activation (a float run?)");
  return bits;
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
std::string configuration(const std::string &training_text) {
  std::ostringstream s;
  s << "net=" << hex(fnv1a64(training_text)) << " bits=" << bitsOpt << " dropbits=" << dropbitsOpt
    << " learn-bits=" << learnBitsOpt << " gate-lambda=" << gateLambdaOpt << " epochs=" << epochsOpt
    << " batch=" << batchOpt << " lr=" << lrOpt << " lr-schedule=" << scheduleOpt << " seed=" << seedOpt
    << " train-limit=" << trainLimitOpt << " data=" << dataOpt;
  if (!initFromOpt.empty()) s << " init-from=" << initFromOpt;
  if (gateLrScaleOpt != 1.0) s << " gate-lr-scale=" << gateLrScaleOpt;
  if (gateInitOpt != 3.0) s << " gate-init=" << gateInitOpt;
  if (!bitsFromOpt.empty()) s << " bits-from=" << bitsFromOpt;
  return s.str();
}

std::unique_ptr<cpq::runtime::Kernel> load_kernel(const std::string &prefix) {
  std::string error;
  auto k = cpq::runtime::Kernel::load(prefix, error);
  if (!k) fail(error);
  return k;
}

} // namespace

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  // Under a file-size limit (ulimit -f) a write past it raises SIGXFSZ,
  // whose default action kills the process without a word; ignored, the
  // write fails with EFBIG and the run stops with a message naming the file
  // (the checkpoint keeps its previous contents either way).
  std::signal(SIGXFSZ, SIG_IGN);
  cl::HideUnrelatedOptions(trainOptions);
  cl::ParseCommandLineOptions(argc, argv,
                              "cpq-train: trains a cpq network (optionally quantized with CPQ) on an IDX image set\n");
  const Bits bits = parse_bits(bitsOpt);
  check_options(bits);
  const std::string stem = std::filesystem::path(inputFile.getValue()).stem().string();
  std::string out = outOpt;
  if (out.empty()) {
    std::string b = bitsOpt;
    for (char &c : b) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out = "runs/" + stem + "-" + b + "-seed" + std::to_string(seedOpt);
  }
  const std::string checkpoint = out + "/checkpoint.safetensors";
  if (resumeOpt && !std::filesystem::exists(checkpoint))
    fail(checkpoint + ": no checkpoint to resume from (run without --resume to start)");
  if (!resumeOpt && !overwriteOpt && std::filesystem::exists(checkpoint))
    fail(checkpoint + ": the run folder already holds a run; continue it with --resume, start it afresh with "
                      "--overwrite, or choose another -o");

  // Data first: a missing or damaged file should not wait for a compile.
  const cpq::idx::LabelledImages train = load_data("train", trainLimitOpt);
  const cpq::idx::LabelledImages test = load_data("t10k", testLimitOpt);

  cpq::codegen::NetworkOptions n;
  n.weight_bits = bits.weights, n.activation_bits = bits.activations;
  n.input_bits = inputBitsOpt, n.dropbits = dropbitsOpt, n.learn_bits = learnBitsOpt;
  n.dropbits_mode = dropbitsModeOpt;
  if (!bitsFromOpt.empty()) n.tensor_bits = bits_from(bitsFromOpt);
  n.gate_lr_scale = gateLrScaleOpt, n.gate_init = gateInitOpt;
  n.gate_lambda = gateLambdaOpt, n.optimizer = optimizerOpt, n.weight_decay = weightDecayOpt;
  n.scale_floor = scaleFloorOpt, n.sigma_floor = sigmaFloorOpt, n.activation_range = actRangeOpt;
  n.weight_grid = weightGridOpt, n.scale_step = scaleStepOpt;
  cpq::codegen::PreparedNetwork network;
  std::string error, kernels;
  if (!cpq::codegen::prepare_network(inputFile, n, network, error)) fail(error);
  if (!cpq::codegen::compiled_kernels(network, cacheOpt.empty() ? cpq::codegen::default_cache() : cacheOpt.getValue(),
                                      targetOpt, note, kernels, error, kernelScheduleOpt, profileOpt))
    fail(error);
  auto step = load_kernel(kernels + "/train_step");
  auto eval = load_kernel(kernels + "/eval_step");
  for (const cpq::runtime::KernelArgument &a : step->arguments())
    if (a.role == cpq::runtime::roles::input && a.shape.size() == 4 && (a.shape[2] != train.rows || a.shape[3] != train.cols))
      fail(inputFile + ": the network takes " + std::to_string(a.shape[2]) + "x" + std::to_string(a.shape[3]) +
           " images; the data in " + dataOpt.getValue() + " are " + std::to_string(train.rows) + "x" +
           std::to_string(train.cols));

  cpq::runtime::TrainerOptions o;
  o.run_folder = out, o.epochs = epochsOpt, o.batch = batchOpt, o.learning_rate = lrOpt;
  o.lr_schedule = scheduleOpt, o.seed = seedOpt, o.resume = resumeOpt, o.overwrite = overwriteOpt;
  o.checkpoint_every = checkpointEveryOpt, o.stop_after_steps = stopAfterOpt, o.init_from = initFromOpt;
  o.schedule = kernelScheduleOpt;
  // Images enter as byte / 255, in [0, 1]: the quantized networks' 8-bit
  // unsigned input grid (step 1/255) then holds every pixel exactly, where a
  // mean/std normalisation would clip the dark and the bright ones.
  o.input = {0.0f, 1.0f};
  o.configuration = configuration(network.training_text);
  o.network = stem, o.bits = bitsOpt, o.dropbits = dropbitsOpt, o.learn_bits = learnBitsOpt;
  // A network that is quantized as written (e.g. by cpq-opt
  // --cpq-assign-bitwidths) trains at its own bits: the summary says so.
  if (!bits.weights && !step->manifest().quantizers.empty()) o.bits = "as written";
  o.dropbits_mode = dropbitsModeOpt;
  o.gate_lambda = gateLambdaOpt, o.gate_lr_scale = gateLrScaleOpt, o.gate_init = gateInitOpt;
  o.bits_from = bitsFromOpt;
  o.network_text = network.network_text, o.network_function = network.name;
  o.progress = !quietOpt, o.note = note;
  cpq::runtime::TrainingResult result;
  if (!cpq::runtime::Trainer(*step, *eval, o).run(train, test, result, error)) fail(error);
  if (profileOpt) print_profile(*step, *eval, out);
  if (result.stopped) {
    std::printf("stopped after step %lld of %lld (--stop-after-steps); continue with --resume\n",
                static_cast<long long>(result.step), static_cast<long long>(result.total_steps));
    return 0;
  }
  std::printf("%s", cpq::runtime::summary_text(o, result).c_str());
  return 0;
}
