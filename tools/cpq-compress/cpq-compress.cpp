//===- cpq-compress.cpp - a trained run compressed to the limit -------------===//
//
// cpq-compress RUN --method uniform --rate 1 --prune 0.9 --fine-tune-epochs 2 -o RUN/model.cpqz
//
// Reads a cpq-train run folder, prunes, quantizes and entropy-codes its
// weights (compress/compress.h), writes the compressed model beside a
// kernel that takes it, evaluates it on the test set and prints what it
// costs and how accurate it is; with --json the last line is one JSON
// object (ratio, test_accuracy, reference_accuracy, bits_per_weight,
// sparsity, ...).
//
//===----------------------------------------------------------------------===//
#include "compress/compress.h"
#include "cpq/runtime/idx.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <string>

namespace cl = llvm::cl;

static cl::OptionCategory options("cpq-compress options");
static cl::opt<std::string> runOpt(cl::Positional, cl::desc("<cpq-train run folder>"), cl::Required, cl::cat(options));
static cl::opt<std::string> methodOpt("method", cl::desc("kmeans, hkmeans, uniform or ecsq (a float run); grid (a CPQ run: each weight's level on its own grid)"), cl::init("uniform"),
                                      cl::cat(options));
static cl::opt<std::string> gridKernelOpt("grid-kernel",
                                          cl::desc("with --method grid, what runs the model: packed (the frozen "
                                                   "integer network; codes decoded to its packed weights at load "
                                                   "time) or float (the network with its quantizers)"),
                                          cl::init("packed"), cl::cat(options));
static cl::opt<std::string> hessianOpt("hessian",
                                       cl::desc("importance of each weight: diag (the loss's Hessian diagonal, "
                                                "computed over the training images), adam (sqrt of Adam's second "
                                                "moments, from the run's checkpoint) or none"),
                                       cl::init("adam"), cl::cat(options));
static cl::opt<int> clustersOpt("clusters", cl::desc("codebook size (kmeans, hkmeans; uniform: cells over the range)"),
                                cl::init(0), cl::cat(options));
static cl::opt<double> rateOpt("rate", cl::desc("bits per kept weight, the indices' entropy (uniform, ecsq)"),
                               cl::init(0), cl::cat(options));
static cl::opt<double> pruneOpt("prune", cl::desc("fraction of the weights pruned by magnitude"), cl::init(0),
                                cl::cat(options));
static cl::opt<std::string> pruneScheduleOpt(
    "prune-schedule",
    cl::desc("gradual (the sparsity ramps up over the first half of the fine-tuning) or oneshot (all at once)"),
    cl::init("gradual"), cl::cat(options));
static cl::opt<int> fineTuneOpt("fine-tune-epochs",
                                cl::desc("epochs of fine-tuning after pruning, and again of the shared centres"),
                                cl::init(0), cl::cat(options));
static cl::opt<double> lrOpt("lr", cl::desc("fine-tuning learning rate"), cl::init(1e-3), cl::cat(options));
static cl::opt<bool> perLayerOpt("per-layer", cl::desc("one codebook per layer parameter, not one for the network"),
                                 cl::cat(options));
static cl::opt<unsigned long long> seedOpt("seed", cl::desc("k-means++ seeding, fine-tuning's shuffles"), cl::init(1),
                                           cl::cat(options));
static cl::opt<std::string> outOpt("o", cl::desc("the compressed model (OUT.cpqz; its kernel OUT_kernel.so)"),
                                   cl::value_desc("OUT.cpqz"), cl::Required, cl::cat(options));
static cl::opt<std::string> dataOpt("data", cl::desc("folder of train-/t10k- IDX files"),
                                    cl::init(cpq::idx::kFashionMnistDir), cl::cat(options));
static cl::opt<int> trainLimitOpt("train-limit", cl::desc("fine-tune on the first N training images (0: all)"),
                                  cl::init(0), cl::cat(options));
static cl::opt<int> testLimitOpt("test-limit", cl::desc("evaluate on the first N test images (0: all)"), cl::init(0),
                                 cl::cat(options));
static cl::opt<std::string> cacheOpt("cache", cl::desc("kernel cache folder"), cl::cat(options));
static cl::opt<bool> pinOpt("pin-kernel",
                            cl::desc("record the kernel's SHA-256 in the .cpqz; loaders then refuse a kernel of "
                                     "another digest"),
                            cl::cat(options));
static cl::opt<bool> jsonOpt("json", cl::desc("end with one JSON object on the last line"), cl::cat(options));
static cl::opt<bool> quietOpt("quiet", cl::desc("no progress output"), cl::cat(options));

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(options);
  cl::ParseCommandLineOptions(argc, argv, "cpq-compress: prunes, quantizes and entropy-codes a trained run\n");
  cpq::compress::Options o;
  if (methodOpt == "grid" && !hessianOpt.getNumOccurrences()) hessianOpt = "none"; // a grid needs no importance
  o.grid_kernel = gridKernelOpt;
  o.run = runOpt, o.method = methodOpt, o.hessian = hessianOpt, o.clusters = clustersOpt, o.rate = rateOpt;
  o.prune = pruneOpt, o.prune_schedule = pruneScheduleOpt, o.fine_tune_epochs = fineTuneOpt, o.fine_tune_lr = lrOpt, o.per_layer = perLayerOpt;
  o.seed = seedOpt, o.output = outOpt, o.data = dataOpt, o.train_limit = trainLimitOpt, o.test_limit = testLimitOpt;
  o.cache = cacheOpt, o.progress = !quietOpt, o.pin_kernel = pinOpt;
  o.note = [](const std::string &m) {
    if (!quietOpt) std::fprintf(stderr, "cpq-compress: %s\n", m.c_str());
  };
  cpq::compress::Result r;
  std::string error;
  if (trainLimitOpt < 0 || testLimitOpt < 0) error = "--train-limit and --test-limit must not be negative";
  if (!error.empty() || !cpq::compress::compress_run(o, r, error)) {
    std::fflush(stdout);
    std::fprintf(stderr, "cpq-compress: error: %s\n", error.c_str());
    return 1;
  }
  const auto &a = r.account;
  std::printf("%s: %s%s, %d clusters, %.3f bits of index entropy\n", outOpt.getValue().c_str(), methodOpt.getValue().c_str(),
              perLayerOpt ? " per layer" : "", r.clusters, r.entropy);
  std::printf("  test accuracy      %.2f %%", 100 * r.test_accuracy);
  if (r.reference_accuracy >= 0) std::printf("  (the run's own: %.2f %%)", 100 * r.reference_accuracy);
  if (r.accuracy_before_fine_tune >= 0) std::printf("  (before the centres' fine-tuning: %.2f %%)", 100 * r.accuracy_before_fine_tune);
  std::printf("\n  compression        %.2fx  (%lld parameters at 32 bits against %lld bits)\n", r.ratio,
              static_cast<long long>(a.parameters), static_cast<long long>(a.total_bits()));
  std::printf("  coded values       %lld of which %lld kept (sparsity %.2f %%), %.3f bits each with everything\n",
              static_cast<long long>(a.coded), static_cast<long long>(a.kept), 100 * r.sparsity, r.bits_per_weight);
  std::printf("  bits               indices %lld, index code %lld, codebooks %lld, gaps %lld, gap code %lld, "
              "stored as they are %lld\n",
              static_cast<long long>(a.index_bits), static_cast<long long>(a.index_table_bits),
              static_cast<long long>(a.codebook_bits), static_cast<long long>(a.gap_bits),
              static_cast<long long>(a.gap_table_bits), static_cast<long long>(a.plain_bits));
  std::printf("  file               %lld bytes (%.2fx the parameters in float32)\n", static_cast<long long>(r.file_bytes),
              r.file_ratio);
  if (jsonOpt) {
    nlohmann::ordered_json j = {{"output", outOpt.getValue()},   {"method", methodOpt.getValue()},
                                {"hessian", hessianOpt.getValue()}, {"per_layer", bool(perLayerOpt)},
                                {"prune", pruneOpt.getValue()},     {"prune_schedule", pruneScheduleOpt.getValue()},
                                {"fine_tune_epochs", fineTuneOpt.getValue()},
                                {"ratio", r.ratio},                 {"test_accuracy", r.test_accuracy},
                                {"reference_accuracy", r.reference_accuracy},
                                {"bits_per_weight", r.bits_per_weight}, {"sparsity", r.sparsity},
                                {"clusters", r.clusters},           {"entropy", r.entropy},
                                {"accuracy_before_fine_tune", r.accuracy_before_fine_tune},
                                {"file_bytes", r.file_bytes},       {"file_ratio", r.file_ratio},
                                {"parameters", a.parameters},       {"total_bits", a.total_bits()}};
    if (methodOpt == "grid") j["grid_kernel"] = gridKernelOpt.getValue();
    std::printf("%s\n", j.dump().c_str());
  }
  return 0;
}
