//===- train.cpp - training images/s against a PyTorch 1.13 peer ------------===//
//
// LeNet-5 (examples/networks/lenet5.mlir) training steps in FP32, W4A4 and
// W2A2 (CPQ's quantizer, no DropBits, Adam), at batch 64 and 256 with 2
// threads: the generated train_step kernel (compiled by the same code as
// cpq-train, hand schedules, cached) on real Fashion-MNIST images, against
// bench/peers/train_torch.py (the same network, quantizers, optimizer, batch
// and threads in PyTorch, /usr/bin/python3) run in the same process tree,
// twice for a quantized network: the plain quantizer (every cell's
// probability: x_torch) and the windowed form cpq computes (only the edges
// near each element: x_torch_windowed), so the second ratio compares
// implementations of one algorithm.
// Each figure is the median of --repeats runs of --steps steps after warm-up.
//
// With --profile the kernels time each stage computed at root (two trace
// events a stage a step; the figures include that) and each row is followed by
// train_step's time per op and pass (in --json: "profile", a list of
// {op, kind, pass, ms} per row).
//
// --network vgg_small times examples/networks/vgg_small.mlir's steps instead
// (no peer: the PyTorch peer is LeNet-5's); --split N compiles train_step as
// N pipelines (cpq-compile --split; 0, the default, automatic: LeNet-5 one,
// vgg_small four), e.g. to time what splitting costs.
//
// --schedule FILE compiles train_step with a schedule file (cpq-tune's
// best_schedule.json, or one written by hand: docs/tuning.md) instead of the
// hand schedules; its stage names are one network's and bit-width's, so it
// takes a single --bits.
//
// Usage: bench/train [--json] [--repeats N] [--steps N] [--batches 64,256]
//                    [--bits FP32,W4A4,W2A2] [--no-peer] [--profile] [--cache DIR]
//                    [--network lenet5|vgg_small] [--split N] [--schedule FILE]
//
//===----------------------------------------------------------------------===//
#include "codegen/network.h"
#include "args.h"
#include "peer.h"
#include "train_step.h"

#include "cpq/runtime/batches.h"
#include "cpq/runtime/idx.h"
#include "cpq/runtime/init.h"
#include "cpq/runtime/kernel.h"
#include "cpq/runtime/profile.h"
#include "cpq/runtime/roles.h"
#include "cpq/runtime/tensor.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

using namespace cpq::runtime;

namespace {

constexpr int kThreads = 2;

[[noreturn]] void fail(const std::string &message) {
  std::fprintf(stderr, "bench/train: error: %s\n", message.c_str());
  std::exit(1);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/// The BLAS library the PyTorch peer ran on, as it reported it.
std::string peer_blas;

/// Images per second of the PyTorch peer, or a negative value.
double torch_peer(const std::string &bits, int batch, int steps, int repeats, const std::string &quantizer = "plain") {
  const std::string cmd = std::string("/usr/bin/python3 " CPQ_SOURCE_DIR "/bench/peers/train_torch.py --bits ") +
                          bits + " --quantizer " + quantizer + " --batch " + std::to_string(batch) +
                          " --threads " + std::to_string(kThreads) +
                          " --steps " + std::to_string(steps) + " --repeats " + std::to_string(repeats);
  const std::string line = cpq::bench::peer_line(cmd);
  if (line.empty()) return -1;
  if (peer_blas.empty()) peer_blas = cpq::bench::json_string(line, "blas");
  return cpq::bench::json_number(line, "img_s");
}

/// Median images/s of the train_step in `folder` at `batch` (train_step.h).
double ours(const std::string &folder, const cpq::idx::LabelledImages &data, int batch, int steps, int repeats,
            KernelProfile *profile = nullptr) {
  std::string error;
  const double img_s = cpq::bench::train_step_img_s(folder, data, batch, steps, repeats, error, profile);
  if (img_s < 0) fail(error);
  return img_s;
}

struct Row {
  std::string bits;
  int batch;
  double img_s, torch_img_s, torch_windowed_img_s;
  KernelProfile profile;
};

} // namespace

int main(int argc, char **argv) {
  bool json = false, peer = true, profile = false;
  int repeats = 5, steps = 20, parts = 0;
  std::string network = "lenet5";
  std::vector<int> batches = {64, 256};
  std::vector<std::string> bits = {"FP32", "W4A4", "W2A2"};
  std::string cache = cpq::codegen::default_cache();
  std::string schedule; // a schedule file; empty: the hand schedules
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) fail(a + " needs a value");
      return argv[++i];
    };
    if (a == "--json") json = true;
    else if (a == "--no-peer") peer = false;
    else if (a == "--profile") profile = true;
    else if (a == "--repeats") repeats = std::max(1, std::atoi(value().c_str()));
    else if (a == "--steps") steps = std::max(1, std::atoi(value().c_str()));
    else if (a == "--cache") cache = value();
    else if (a == "--bits") bits = cpq::bench::split_list(value());
    else if (a == "--network") network = value();
    else if (a == "--split") parts = std::atoi(value().c_str());
    else if (a == "--schedule") schedule = value();
    else if (a == "--batches") {
      batches.clear();
      for (const std::string &b : cpq::bench::split_list(value())) batches.push_back(std::max(1, std::atoi(b.c_str())));
    } else {
      std::fprintf(stderr,
                   "usage: %s [--json] [--repeats N] [--steps N] [--batches 64,256] [--bits FP32,W4A4,W2A2] "
                   "[--no-peer] [--profile] [--cache DIR] [--network lenet5|vgg_small] [--split N] [--schedule FILE]\n",
                   argv[0]);
      return a == "--help" ? 0 : 1;
    }
  }
  ::setenv("HL_NUM_THREADS", std::to_string(kThreads).c_str(), 1);
  // The peer at its best: OpenBLAS reads this at load time, and a value
  // inherited from the environment (seen: Haswell) caps it at AVX2.
  ::unsetenv("OPENBLAS_CORETYPE");
  if (network != "lenet5" && network != "vgg_small") fail("--network takes lenet5 or vgg_small, got '" + network + "'");
  if (parts < 0) fail("--split takes 0 (automatic) or a number of pipelines");
  if (network != "lenet5") peer = false; // the PyTorch peer is LeNet-5's
  if (!schedule.empty() && bits.size() != 1)
    fail("--schedule " + schedule + ": a schedule file names one bit-width's stages; give a single --bits");
  cpq::idx::LabelledImages data;
  std::string error;
  const std::string dir = cpq::idx::kFashionMnistDir;
  if (!cpq::idx::read_labelled(dir + "/train-images-idx3-ubyte.gz", dir + "/train-labels-idx1-ubyte.gz", 10, data,
                               error))
    fail(error);

  std::vector<Row> rows;
  std::map<int, double> torch_fp32;
  for (const std::string &b : bits) {
    cpq::codegen::NetworkOptions o;
    if (b != "FP32" && (std::sscanf(b.c_str(), "W%dA%d", &o.weight_bits, &o.activation_bits) != 2 ||
                        o.weight_bits < 1 || o.weight_bits > 8 || o.activation_bits < 1 || o.activation_bits > 8))
      fail("--bits takes FP32 or WnAm, got '" + b + "'");
    cpq::codegen::PreparedNetwork net;
    if (!cpq::codegen::prepare_network(CPQ_SOURCE_DIR "/examples/networks/" + network + ".mlir", o, net, error))
      fail(error);
    std::string folder;
    auto note = [&](const std::string &m) {
      if (!json) std::fprintf(stderr, "bench/train: %s\n", m.c_str());
    };
    if (!cpq::codegen::compiled_kernels(net, cache, "host", note, folder, error, schedule, profile, parts)) fail(error);
    for (int batch : batches) {
      if (!json) std::fprintf(stderr, "%s %s batch %d ...\n", network.c_str(), b.c_str(), batch);
      Row r{b, batch, -1, -1, -1, {}};
      r.img_s = ours(folder, data, batch, steps, repeats, profile ? &r.profile : nullptr);
      if (peer) r.torch_img_s = torch_peer(b, batch, steps, repeats);
      if (peer && b != "FP32") r.torch_windowed_img_s = torch_peer(b, batch, steps, repeats, "windowed");
      if (b == "FP32") torch_fp32[batch] = r.torch_img_s;
      rows.push_back(r);
    }
  }
  for (int batch : batches)
    if (peer && !torch_fp32.count(batch)) torch_fp32[batch] = torch_peer("FP32", batch, steps, repeats);

  if (json) {
    nlohmann::ordered_json j = {{"threads", kThreads},  {"steps", steps}, {"repeats", repeats},
                                {"torch_blas", peer_blas}, {"split", parts},
                                {"schedule", schedule.empty() ? std::string("hand") : schedule}};
    j["rows"] = nlohmann::ordered_json::array();
    for (const Row &r : rows) {
      j["rows"].push_back({{"net", network},
                           {"bits", r.bits},
                           {"batch", r.batch},
                           {"img_s", r.img_s},
                           {"torch_img_s", r.torch_img_s},
                           {"x_torch", r.torch_img_s > 0 ? r.img_s / r.torch_img_s : -1.0},
                           {"torch_windowed_img_s", r.torch_windowed_img_s},
                           {"x_torch_windowed", r.torch_windowed_img_s > 0 ? r.img_s / r.torch_windowed_img_s : -1.0}});
      if (profile) {
        auto &ops = j["rows"].back()["profile"] = nlohmann::ordered_json::array();
        for (const OpProfile &o : profile_by_op(r.profile))
          ops.push_back({{"op", o.op}, {"kind", o.kind}, {"pass", o.pass}, {"ms", o.ms}});
      }
    }
    j["torch_fp32_img_s"] = nlohmann::ordered_json::object();
    for (const auto &[batch, v] : torch_fp32) j["torch_fp32_img_s"][std::to_string(batch)] = v;
    std::printf("%s\n", j.dump(2).c_str());
    return 0;
  }
  std::printf("%s training, Fashion-MNIST images, Adam, %d threads, median of %d x %d steps%s%s\n", network.c_str(),
              kThreads, repeats, steps,
              parts ? (", train_step as " + std::to_string(parts) + (parts == 1 ? " pipeline" : " pipelines")).c_str()
                    : "",
              schedule.empty() ? "" : (", schedule " + schedule).c_str());
  std::printf("%-6s %6s %12s %14s %9s %18s %12s %16s\n", "bits", "batch", "cpq img/s", "PyTorch img/s", "x torch",
              "windowed img/s", "x windowed", "x torch FP32");
  auto cell = [](double v, int width, int decimals) {
    char b[32];
    if (v > 0) std::snprintf(b, sizeof b, "%*.*f", width, decimals, v);
    else std::snprintf(b, sizeof b, "%*s", width, "-");
    return std::string(b);
  };
  for (const Row &r : rows) {
    const double fp32 = torch_fp32.count(r.batch) ? torch_fp32[r.batch] : -1;
    std::printf("%-6s %6d %12.0f %s %s %s %s %s\n", r.bits.c_str(), r.batch, r.img_s,
                cell(r.torch_img_s, 14, 0).c_str(), cell(r.torch_img_s > 0 ? r.img_s / r.torch_img_s : -1, 9, 2).c_str(),
                cell(r.torch_windowed_img_s, 18, 0).c_str(),
                cell(r.torch_windowed_img_s > 0 ? r.img_s / r.torch_windowed_img_s : -1, 12, 2).c_str(),
                cell(fp32 > 0 ? r.img_s / fp32 : -1, 16, 2).c_str());
  }
  if (profile)
    for (const Row &r : rows)
      std::printf("\n%s", profile_table(r.profile, network + " " + r.bits + " batch " + std::to_string(r.batch) +
                                                     " train_step", 20)
                              .c_str());
  if (!peer) std::printf("(no peer: %s)\n", network == "lenet5" ? "--no-peer" : "the PyTorch peer is LeNet-5's");
  else if (!peer_blas.empty()) std::printf("PyTorch's BLAS: %s\n", peer_blas.c_str());
  if (peer && rows.size() && rows[0].torch_img_s < 0)
    std::printf("(the PyTorch peer did not run: scripts/install-deps.sh --peers installs python3-torch)\n");
  return 0;
}
