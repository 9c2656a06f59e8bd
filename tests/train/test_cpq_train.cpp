//===- test_cpq_train.cpp - cpq-train end to end ----------------------------===//
//
// Runs the cpq-train executable on tests/train/tiny_net.mlir and a subset of
// Fashion-MNIST: a short quantized run learns; a run stopped and resumed
// ends bit-identical to an uninterrupted one; damaged or missing data and
// checkpoints, and bad options, each end with exit code 1 and a message
// naming the file or option, never a crash; a NaN or infinity in a starting
// point, a checkpoint, the loss, a parameter or an optimizer state stops the
// run with a message naming the tensor, the element and the step.
//
//===----------------------------------------------------------------------===//
#define BOOST_TEST_MODULE cpq_train
#include <boost/test/unit_test.hpp>

#include "../runtime/scratch.h"
#include "cpq/runtime/idx.h"
#include "cpq/runtime/safetensors.h"

#include <sys/wait.h>

#include <cstdio>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace {

struct Result {
  int exit_code = -1; // -1: killed by a signal
  std::string output; // stdout and stderr
};

/// Runs cpq-train on the tiny network with the shared kernel cache.
Result train(const std::string &args) {
  const std::string command = std::string(CPQ_TRAIN_EXE) + " '" + CPQ_TINY_NET + "' --cache '" + CPQ_TRAIN_CACHE +
                              "' --quiet " + args + " 2>&1";
  Result r;
  FILE *pipe = ::popen(command.c_str(), "r");
  BOOST_TEST_REQUIRE(pipe != nullptr);
  char buffer[4096];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) r.output.append(buffer, n);
  const int status = ::pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  BOOST_TEST_MESSAGE("$ " << command << "\n" << r.output);
  return r;
}

fs::path scratch(const std::string &name) { return cpq::testing::scratch_path("cpq_train", name); }

std::string read_text(const fs::path &p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void fails_with(const Result &r, const std::string &expected) {
  BOOST_TEST(r.exit_code == 1, "exit code " << r.exit_code << "; output:\n" << r.output);
  BOOST_TEST(r.output.find("cpq-train: error: ") != std::string::npos, r.output);
  BOOST_TEST(r.output.find(expected) != std::string::npos, "'" << expected << "' not in:\n" << r.output);
}

/// The log's rows without the timing columns (images/s, seconds).
std::vector<std::string> log_rows(const fs::path &run) {
  std::istringstream in(read_text(run / "log.csv"));
  std::vector<std::string> rows;
  std::string line;
  while (std::getline(in, line)) {
    for (int k = 0; k < 2; ++k) line = line.substr(0, line.rfind(','));
    rows.push_back(line);
  }
  return rows;
}

cpq::safetensors::File read_safetensors(const fs::path &p) {
  cpq::safetensors::File f;
  std::string error;
  BOOST_TEST_REQUIRE(cpq::safetensors::read(p.string(), f, error), error);
  return f;
}

/// A copy of Fashion-MNIST's four files in `dir`, with `damage` applied to
/// one of them.
void copy_data(const fs::path &dir) {
  fs::create_directories(dir);
  for (const char *f : {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz",
                        "t10k-labels-idx1-ubyte.gz"})
    fs::copy_file(fs::path(cpq::idx::kFashionMnistDir) / f, dir / f, fs::copy_options::overwrite_existing);
}

const std::string kSmall = " --bits W2A2 --dropbits 0.25 --train-limit 300 --test-limit 200 --batch 32 --epochs 2";

} // namespace

BOOST_AUTO_TEST_CASE(a_short_quantized_run_learns) {
  const fs::path run = scratch("learns");
  const Result r = train("--bits W2A2 --dropbits 0.25 --epochs 2 --lr 3e-3 --train-limit 1000 --test-limit 1000 -o '" +
                         run.string() + "'");
  BOOST_TEST_REQUIRE(r.exit_code == 0, r.output);
  // The summary: accuracy, the quantized tensors with their bits, the size.
  BOOST_TEST(r.output.find("test accuracy") != std::string::npos, r.output);
  BOOST_TEST(r.output.find("conv1.weight           weight          2") != std::string::npos, r.output);
  BOOST_TEST(r.output.find("act1                   activation      2") != std::string::npos, r.output);
  BOOST_TEST(r.output.find("x smaller") != std::string::npos, r.output);
  // Every file of the run folder.
  for (const char *f : {"log.csv", "checkpoint.safetensors", "params.safetensors", "network.mlir", "summary.json"})
    BOOST_TEST(fs::exists(run / f), f);
  const auto rows = log_rows(run);
  BOOST_TEST_REQUIRE(rows.size() == 3u);
  BOOST_TEST(rows[0] == "epoch,step,lr,train_loss,train_accuracy,test_loss,test_accuracy");
  // Chance is 10%; two epochs over 1,000 images reach well above it.
  const std::string summary = read_text(run / "summary.json");
  const auto at = summary.find("\"test_accuracy\": ");
  BOOST_TEST_REQUIRE(at != std::string::npos);
  const double accuracy = std::stod(summary.substr(at + 17));
  BOOST_TEST(accuracy > 0.4, "test accuracy " << accuracy);
  // The trained parameters under the network's names, for the inference pipeline.
  const auto params = read_safetensors(run / "params.safetensors");
  BOOST_TEST(params.find("conv1.weight") != nullptr);
  BOOST_TEST(params.find("fc.weight.sigma") != nullptr);
  BOOST_TEST(read_text(run / "network.mlir").find("cpq.quantize") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(profile_prints_the_time_of_each_op_and_pass) {
  const fs::path run = scratch("profile");
  const Result r = train("--bits W2A2 --train-limit 6000 --test-limit 500 --batch 64 --epochs 1 --profile -o '" +
                         run.string() + "'");
  BOOST_TEST_REQUIRE(r.exit_code == 0, r.output);
  for (const char *expected : {"train_step: ", "eval_step: ", "each stage computed at root timed", "by pass: forward ",
                               "backward ", "update ", "quantize_grad_", "conv2d_grad_filter_", "profile.csv"})
    BOOST_TEST(r.output.find(expected) != std::string::npos, "'" << expected << "' not in:\n" << r.output);
  BOOST_TEST(r.output.find("test accuracy") != std::string::npos, r.output); // the summary as ever
  std::istringstream csv(read_text(run / "profile.csv"));
  std::string line;
  std::getline(csv, line);
  BOOST_TEST(line == "kernel,op,kind,pass,ms_per_call,share");
  std::map<std::string, double> share;
  int rows = 0, backward = 0, updates = 0;
  while (std::getline(csv, line)) {
    ++rows;
    std::vector<std::string> cells;
    std::istringstream fields(line);
    for (std::string cell; std::getline(fields, cell, ',');) cells.push_back(cell);
    BOOST_TEST_REQUIRE(cells.size() == 6u, line);
    BOOST_TEST((cells[3] == "forward" || cells[3] == "backward" || cells[3] == "update" || cells[3] == "overhead"),
               line);
    share[cells[0]] += std::stod(cells[5]);
    if (cells[0] == "train_step" && cells[3] == "backward") ++backward;
    // Adam's update is computed inside the outputs that return it.
    if (cells[0] == "train_step" && cells[3] == "update" && cells[1].size() > 4 &&
        cells[1].compare(cells[1].size() - 4, 4, "_out") == 0)
      ++updates;
  }
  BOOST_TEST(backward > 0, "no backward op in train_step's profile");
  BOOST_TEST(updates > 0, "no parameter update in train_step's profile");
  BOOST_TEST(rows > 5);
  BOOST_TEST(share.count("train_step") == 1u);
  for (const auto &[kernel, total] : share) BOOST_TEST(std::abs(total - 1.0) < 1e-3, kernel << " shares sum to " << total);
}

BOOST_AUTO_TEST_CASE(dropbits_masks_can_be_independent) {
  // --dropbits-mode independent reaches every quantizer of the network the
  // run writes and the summary. With 2 bits there is one droppable level
  // (cpq-method.md section 4: a mask bit per level 2..b), so both modes are
  // the same method and train identically; with 4 bits they differ.
  for (const char *bits : {"W2A2", "W4A4"}) {
    std::vector<std::string> rows[2];
    for (int i = 0; i < 2; ++i) {
      const std::string mode = i ? "independent" : "hierarchical";
      const fs::path run = scratch(std::string("dropbits_") + bits + "_" + mode);
      const Result r = train(std::string("--bits ") + bits + " --dropbits 0.25 --dropbits-mode " + mode +
                             " --epochs 1 --lr 3e-3 --train-limit 600 --test-limit 300 -o '" + run.string() + "'");
      BOOST_TEST_REQUIRE(r.exit_code == 0, r.output);
      rows[i] = log_rows(run);
      const std::string summary = read_text(run / "summary.json");
      BOOST_TEST(summary.find("\"dropbits_mode\": \"" + mode + "\"") != std::string::npos, summary);
      const std::string net = read_text(run / "network.mlir");
      BOOST_TEST((net.find("dropbits = \"independent\"") != std::string::npos) == bool(i), net);
      if (i) BOOST_TEST(r.output.find("DropBits p=0.25 (independent masks)") != std::string::npos, r.output);
    }
    if (std::string(bits) == "W2A2")
      BOOST_TEST(rows[0] == rows[1], "one droppable level, yet the modes trained differently");
    else
      BOOST_TEST(rows[0] != rows[1], "independent masks trained exactly as hierarchical ones at 4 bits");
  }
}

BOOST_AUTO_TEST_CASE(learned_bit_widths_come_from_the_trained_gates) {
  // A heavy L0 weight on the gates' expected bits closes every gate above
  // level 1 within 125 steps: the summary reports the learned 1 bit, not the
  // quantizer's maximum of 4, and sizes the model by it.
  const fs::path run = scratch("learn_bits");
  const Result r = train("--bits W4A4 --learn-bits --gate-lambda 1 --epochs 1 --batch 16 --train-limit 2000 "
                         "--test-limit 200 --lr 0.05 -o '" + run.string() + "'");
  BOOST_TEST_REQUIRE(r.exit_code == 0, r.output);
  BOOST_TEST(r.output.find("conv1.weight           weight          1") != std::string::npos, r.output);
  BOOST_TEST(r.output.find("fc.weight              weight          1") != std::string::npos, r.output);
  BOOST_TEST(r.output.find("act1                   activation      1") != std::string::npos, r.output);
  const std::string summary = read_text(run / "summary.json");
  // 200 + 11,520 one-bit weights, the rest (biases, alpha, sigma) in float32.
  BOOST_TEST(summary.find("\"bits\": 4") == std::string::npos, summary);
  BOOST_TEST(summary.find("\"gate_lambda\": 1.0") != std::string::npos, summary);
  BOOST_TEST(summary.find("\"average_weight_bits\": 1.0") != std::string::npos, summary);
}

BOOST_AUTO_TEST_CASE(bits_from_trains_each_tensor_at_its_own_bits) {
  // The widths of an earlier run's summary (here written by hand: 3-bit
  // conv1, 5-bit fc, 6-bit act1) over the W4A4 maxima: the summary reports
  // them and their average by element count, (200 * 3 + 11520 * 5) / 11720.
  const fs::path run = scratch("bits_from"), bits = scratch("bits_from.json");
  {
    std::ofstream f(bits);
    f << R"({"tensors": [{"tensor": "input", "kind": "input", "bits": 8, "elements": 784},
      {"tensor": "conv1.weight", "kind": "weight", "bits": 3, "elements": 200},
      {"tensor": "act1", "kind": "activation", "bits": 6, "elements": 4608},
      {"tensor": "fc.weight", "kind": "weight", "bits": 5, "elements": 11520}]})";
  }
  const Result r = train("--bits W4A4 --bits-from '" + bits.string() +
                         "' --epochs 1 --batch 32 --train-limit 300 --test-limit 100 -o '" + run.string() + "'");
  BOOST_TEST_REQUIRE(r.exit_code == 0, r.output);
  BOOST_TEST(r.output.find("conv1.weight           weight          3") != std::string::npos, r.output);
  BOOST_TEST(r.output.find("act1                   activation      6") != std::string::npos, r.output);
  BOOST_TEST(r.output.find("fc.weight              weight          5") != std::string::npos, r.output);
  BOOST_TEST(r.output.find("weight bits        4.966 on average") != std::string::npos, r.output);
  const std::string summary = read_text(run / "summary.json");
  BOOST_TEST(summary.find("\"average_weight_bits\": 4.9658") != std::string::npos, summary);
  BOOST_TEST(summary.find("\"bits_from\": ") != std::string::npos, summary);
  // A uniform run's average is its width.
  const fs::path uniform = scratch("uniform_bits");
  BOOST_TEST_REQUIRE(train(kSmall + " -o '" + uniform.string() + "'").exit_code == 0);
  BOOST_TEST(read_text(uniform / "summary.json").find("\"average_weight_bits\": 2.0") != std::string::npos);

  // Refusals: the file, its contents, the options around it.
  const std::string out = " -o '" + scratch("bits_from_bad").string() + "'";
  fails_with(train("--bits-from '" + bits.string() + "'" + out), "--bits-from needs a quantized network");
  fails_with(train("--bits W4A4 --learn-bits --bits-from '" + bits.string() + "'" + out), "excludes --learn-bits");
  const fs::path missing = scratch("no_such_summary.json");
  fails_with(train("--bits W4A4 --bits-from '" + missing.string() + "'" + out), missing.string() + ": cannot read");
  const fs::path junk = scratch("junk_summary.json");
  std::ofstream(junk) << "{ not json";
  fails_with(train("--bits W4A4 --bits-from '" + junk.string() + "'" + out), junk.string() + ": not JSON");
  const fs::path nine = scratch("nine_bits.json");
  std::ofstream(nine) << R"({"tensors": [{"tensor": "fc.weight", "kind": "weight", "bits": 9}]})";
  fails_with(train("--bits W4A4 --bits-from '" + nine.string() + "'" + out), "has 9 bits; 1..8 expected");
  const fs::path wide = scratch("wide_bits.json"); // 2^32 + 2, once narrowed to 2 bits
  std::ofstream(wide) << R"({"tensors": [{"tensor": "fc.weight", "kind": "weight", "bits": 4294967298}]})";
  fails_with(train("--bits W4A4 --bits-from '" + wide.string() + "'" + out), "has 4294967298 bits; 1..8 expected");
  const fs::path other = scratch("other_net.json");
  std::ofstream(other) << R"({"tensors": [{"tensor": "fc9.weight", "kind": "weight", "bits": 3}]})";
  const Result foreign = train("--bits W4A4 --bits-from '" + other.string() + "'" + out);
  BOOST_TEST(foreign.exit_code == 1, foreign.output);
  BOOST_TEST(foreign.output.find("tensor-bits names 'fc9.weight'") != std::string::npos, foreign.output);
  fails_with(train("--bits W4A4 --gate-lr-scale 10" + out), "--gate-lr-scale needs --learn-bits");
  fails_with(train("--bits W4A4 --learn-bits --gate-lr-scale 0" + out), "--gate-lr-scale must be a positive number");
  fails_with(train("--bits W4A4 --gate-init 6" + out), "--gate-init needs --learn-bits");
  fails_with(train("--bits W4A4 --learn-bits --gate-init -1" + out), "--gate-init must be in (0, 20]");
}

BOOST_AUTO_TEST_CASE(resume_equals_an_uninterrupted_run) {
  const fs::path whole = scratch("whole"), parts = scratch("parts");
  BOOST_TEST_REQUIRE(train(kSmall + " -o '" + whole.string() + "'").exit_code == 0);
  // 300 images in batches of 32: 10 steps an epoch, the last of 12 images.
  // Stop inside epoch 1, then inside epoch 2, then finish.
  Result r = train(kSmall + " -o '" + parts.string() + "' --stop-after-steps 4");
  BOOST_TEST_REQUIRE(r.exit_code == 0, r.output);
  BOOST_TEST(r.output.find("stopped after step 4 of 20") != std::string::npos, r.output);
  r = train(kSmall + " -o '" + parts.string() + "' --resume --stop-after-steps 13");
  BOOST_TEST_REQUIRE(r.exit_code == 0, r.output);
  BOOST_TEST(r.output.find("stopped after step 13 of 20") != std::string::npos, r.output);
  r = train(kSmall + " -o '" + parts.string() + "' --resume");
  BOOST_TEST_REQUIRE(r.exit_code == 0, r.output);

  const auto a = read_safetensors(whole / "checkpoint.safetensors"), b = read_safetensors(parts / "checkpoint.safetensors");
  BOOST_TEST_REQUIRE(a.tensors.size() == b.tensors.size());
  for (const auto &t : a.tensors) {
    const auto *u = b.find(t.name);
    BOOST_TEST_REQUIRE(u != nullptr, t.name);
    BOOST_TEST(t.data == u->data, "tensor " << t.name << " differs after resuming");
  }
  BOOST_TEST(a.metadata.at("cpq.step") == "20");
  BOOST_TEST(b.metadata.at("cpq.step") == "20");
  BOOST_TEST(log_rows(whole) == log_rows(parts), read_text(whole / "log.csv") << "\n" << read_text(parts / "log.csv"));
  BOOST_TEST(read_text(whole / "params.safetensors") == read_text(parts / "params.safetensors"));
}

BOOST_AUTO_TEST_CASE(init_from_starts_at_a_trained_networks_parameters) {
  // A float run, then a W2A2 run started from its parameters: after one step
  // of a vanishing learning rate its weights are the float run's, bit for
  // bit, and the quantizer parameters (not in the file) their initial values.
  const fs::path fp = scratch("init_fp32"), q = scratch("init_w2a2");
  BOOST_TEST_REQUIRE(train("--train-limit 300 --test-limit 100 --batch 32 --epochs 1 -o '" + fp.string() + "'")
                         .exit_code == 0);
  const Result r = train("--bits W2A2 --train-limit 300 --test-limit 100 --batch 32 --epochs 1 --lr 1e-30 "
                         "--stop-after-steps 1 --init-from '" + (fp / "params.safetensors").string() + "' -o '" +
                         q.string() + "'");
  BOOST_TEST_REQUIRE(r.exit_code == 0, r.output);
  const auto a = read_safetensors(fp / "params.safetensors"), b = read_safetensors(q / "params.safetensors");
  int same = 0;
  for (const auto &t : a.tensors) {
    const auto *u = b.find(t.name);
    BOOST_TEST_REQUIRE(u != nullptr, t.name);
    BOOST_TEST(t.data == u->data, t.name << " is not the float run's");
    ++same;
  }
  BOOST_TEST(same >= 4);
  BOOST_TEST_REQUIRE(b.find("conv1.weight.alpha") != nullptr);
  const std::vector<float> alpha = b.find("conv1.weight.alpha")->as_f32(); // its initial value in every channel
  BOOST_TEST(alpha.size() == 8u);
  for (float v : alpha) BOOST_TEST((v > 0.0f && v == alpha[0]));
  // Refusals: a missing file, a file of none of the parameters, one of
  // another shape.
  fails_with(train("--bits W2A2 --init-from /nonexistent/p.safetensors -o '" + scratch("init_missing").string() + "'"),
             "/nonexistent/p.safetensors");
  const fs::path none = scratch("init_none.safetensors"), shape = scratch("init_shape.safetensors");
  std::string error;
  cpq::safetensors::File f;
  f.tensors.push_back(cpq::safetensors::make_f32("unrelated", {2}, {1.0f, 2.0f}));
  BOOST_TEST_REQUIRE(cpq::safetensors::write(none.string(), f, error), error);
  fails_with(train("--bits W2A2 --init-from '" + none.string() + "' -o '" + scratch("init_n").string() + "'"),
             "holds none of the network's parameters");
  f.tensors = {cpq::safetensors::make_f32("conv1.bias", {3}, {1.0f, 2.0f, 3.0f})};
  BOOST_TEST_REQUIRE(cpq::safetensors::write(shape.string(), f, error), error);
  fails_with(train("--bits W2A2 --init-from '" + shape.string() + "' -o '" + scratch("init_s").string() + "'"),
             "'conv1.bias' is F32 of another shape");
}

BOOST_AUTO_TEST_CASE(a_schedule_file_compiles_the_kernels_and_trains_as_the_hand_schedule) {
  // A point of the schedule space (cpq-tune's best_schedule.json): ReLU and
  // max-pool computed inline, a smaller register tile for conv1. The values
  // are the hand schedule's (no sum changes its order), so the parameters
  // after training match the hand schedule's run.
  const fs::path hand = scratch("schedule_hand"), tuned = scratch("schedule_tuned");
  const fs::path file = scratch("schedule.json"), bad = scratch("schedule_bad.json");
  std::ofstream(file) << "{\"format\": \"cpq-schedule\", \"version\": 1, \"function\": \"train_step\", \"stages\": {"
                         "\"relu_3\": {\"inline\": 1}, \"maxpool2d_5\": {\"inline\": 1}, "
                         "\"conv2d_2\": {\"register_tile\": 4}}}\n";
  const std::string common = " --train-limit 300 --test-limit 100 --batch 32 --epochs 1 --bits W2A2";
  BOOST_TEST_REQUIRE(train(common + " -o '" + hand.string() + "'").exit_code == 0);
  const Result r = train(common + " --schedule '" + file.string() + "' -o '" + tuned.string() + "'");
  BOOST_TEST_REQUIRE(r.exit_code == 0, r.output);
  BOOST_TEST(read_text(tuned / "summary.json").find("\"schedule\": \"" + file.string() + "\"") != std::string::npos);
  BOOST_TEST(read_text(hand / "summary.json").find("\"schedule\": \"hand\"") != std::string::npos);
  const auto a = read_safetensors(hand / "params.safetensors"), b = read_safetensors(tuned / "params.safetensors");
  for (const auto &t : a.tensors) {
    const auto *u = b.find(t.name);
    BOOST_TEST_REQUIRE(u != nullptr, t.name);
    const std::vector<float> x = t.as_f32(), y = u->as_f32();
    double worst = 0;
    for (std::size_t k = 0; k < x.size(); ++k) worst = std::max(worst, double(std::fabs(x[k] - y[k])));
    BOOST_TEST(worst <= 1e-5, t.name << ": differs from the hand schedule's run by " << worst);
  }
  // A knob value the space does not have is refused, naming the file.
  std::ofstream(bad) << "{\"format\": \"cpq-schedule\", \"version\": 1, \"stages\": {\"conv2d_2\": {\"register_tile\": 5}}}\n";
  fails_with(train(common + " --schedule '" + bad.string() + "' -o '" + scratch("schedule_refused").string() + "'"),
             bad.string() + ": stage 'conv2d_2', knob 'register_tile': 5 is not one of its values");
  fails_with(train(common + " --schedule /nonexistent/s.json -o '" + scratch("schedule_missing").string() + "'"),
             "/nonexistent/s.json: cannot read");
}

BOOST_AUTO_TEST_CASE(damaged_or_missing_data_is_a_clear_error) {
  fails_with(train("--data /nonexistent/fmnist -o '" + scratch("nodata").string() + "'"),
             "/nonexistent/fmnist/train-images-idx3-ubyte.gz");
  const fs::path data = scratch("data");
  copy_data(data);
  // Cut the training images short: the gzip stream ends early.
  const fs::path images = data / "train-images-idx3-ubyte.gz";
  fs::resize_file(images, 100000);
  fails_with(train("--data '" + data.string() + "' -o '" + scratch("cut").string() + "'"), images.string());
  // Labels that do not fit the images.
  copy_data(data);
  fs::copy_file(data / "t10k-labels-idx1-ubyte.gz", data / "train-labels-idx1-ubyte.gz",
                fs::copy_options::overwrite_existing);
  fails_with(train("--data '" + data.string() + "' -o '" + scratch("mismatch").string() + "'"), "labels");
  // Not gzip, not IDX.
  copy_data(data);
  {
    std::ofstream junk(data / "t10k-images-idx3-ubyte.gz", std::ios::binary);
    junk << "this is not a data set";
  }
  fails_with(train("--data '" + data.string() + "' -o '" + scratch("junk").string() + "'"),
             (data / "t10k-images-idx3-ubyte.gz").string());
}

BOOST_AUTO_TEST_CASE(damaged_missing_or_foreign_checkpoints_are_clear_errors) {
  const fs::path run = scratch("ckpt");
  fails_with(train(kSmall + " -o '" + run.string() + "' --resume"), "no checkpoint to resume from");
  BOOST_TEST_REQUIRE(train(kSmall + " -o '" + run.string() + "' --stop-after-steps 3").exit_code == 0);
  // A fresh start would destroy the run: refused unless asked for.
  fails_with(train(kSmall + " -o '" + run.string() + "'"), "already holds a run");
  fails_with(train(kSmall + " -o '" + run.string() + "' --resume --overwrite"), "exclude each other");
  // A position the run cannot have reached.
  {
    auto file = read_safetensors(run / "checkpoint.safetensors");
    const auto kept = file;
    file.metadata["cpq.step"] = "999";
    std::string error;
    BOOST_TEST_REQUIRE(cpq::safetensors::write((run / "checkpoint.safetensors").string(), file, error), error);
    fails_with(train(kSmall + " -o '" + run.string() + "' --resume"), "impossible position (step 999 of 20");
    BOOST_TEST_REQUIRE(cpq::safetensors::write((run / "checkpoint.safetensors").string(), kept, error), error);
  }
  // Another configuration (learning rate) must not continue this run.
  fails_with(train(kSmall + " --lr 0.01 -o '" + run.string() + "' --resume"), "another configuration");
  // A truncated checkpoint.
  const fs::path ckpt = run / "checkpoint.safetensors";
  const auto size = fs::file_size(ckpt);
  fs::resize_file(ckpt, size / 2);
  fails_with(train(kSmall + " -o '" + run.string() + "' --resume"), ckpt.string());
  // A file that is not safetensors at all.
  {
    std::ofstream junk(ckpt, std::ios::binary | std::ios::trunc);
    junk << "\xff\xff\xff\xff\xff\xff\xff\x7f garbage";
  }
  fails_with(train(kSmall + " -o '" + run.string() + "' --resume"), ckpt.string());
}

BOOST_AUTO_TEST_CASE(bad_options_and_networks_are_clear_errors) {
  const std::string out = " -o '" + scratch("opts").string() + "'";
  fails_with(train("--bits W9A2" + out), "--bits must be FP32 or WnAm");
  fails_with(train("--bits 2bit" + out), "--bits must be FP32 or WnAm");
  fails_with(train("--epochs 0" + out), "--epochs must be at least 1");
  fails_with(train("--dropbits 1.5 --bits W2A2" + out), "--dropbits must be in [0, 1)");
  fails_with(train("--dropbits 0.25" + out), "--dropbits and --learn-bits need a quantized network");
  fails_with(train("--bits W2A2 --dropbits 0.25 --dropbits-mode random" + out),
             "--dropbits-mode must be hierarchical or independent, not 'random'");
  fails_with(train("--bits W2A2 --dropbits-mode independent" + out), "--dropbits-mode needs DropBits");
  fails_with(train("--lr-schedule linear" + out), "--lr-schedule must be cosine or constant");
  fails_with(train("--act-range 0" + out), "--act-range must be a positive number");
  fails_with(train("--sigma-floor -1" + out), "--sigma-floor must be a number >= 0");
  fails_with(train("--scale-step log" + out), "--scale-step must be absolute or relative");
  fails_with(train("--bits W1A1 --weight-grid ternary" + out), "--weight-grid must be signed or symmetric");
  fails_with(train("--bits W2A2 --weight-grid symmetric --dropbits 0.25" + out), "need the signed weight grid");
  fails_with(train("--scale-floor nan" + out), "--scale-floor must be a number >= 0");
  const std::string missing = scratch("none.mlir").string();
  const std::string command = std::string(CPQ_TRAIN_EXE) + " '" + missing + "' --quiet" + out + " 2>&1";
  FILE *pipe = ::popen(command.c_str(), "r");
  char buffer[4096];
  std::string text;
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) text.append(buffer, n);
  const int status = ::pclose(pipe);
  BOOST_TEST((WIFEXITED(status) && WEXITSTATUS(status) == 1), text);
  BOOST_TEST(text.find(missing + ": no such file") != std::string::npos, text);
}

BOOST_AUTO_TEST_CASE(values_that_are_not_finite_stop_training_naming_the_tensor_and_step) {
  // A diverging run: SGD at a learning rate of 1e30 overflows a weight
  // (the message names it, the element and the step); Adam at 1e38 makes
  // the loss NaN one step later.
  fails_with(train("--bits W2A2 --train-limit 300 --test-limit 100 --batch 32 --epochs 1 --optimizer sgd --lr 1e30 -o '" +
                   scratch("diverge_sgd").string() + "'"),
             "parameter 'fc.weight' became inf at element 3605 at step 9 (try a smaller --lr)");
  fails_with(train("--train-limit 300 --test-limit 100 --batch 32 --epochs 1 --lr 1e38 -o '" +
                   scratch("diverge_adam").string() + "'"),
             "the loss became -nan at step 1");
  // A starting point holding NaN: refused before the first step.
  const fs::path bad = scratch("nan_params.safetensors");
  std::vector<float> bias(8, 0.0f);
  bias[5] = std::nanf("");
  cpq::safetensors::File f;
  f.tensors.push_back(cpq::safetensors::make_f32("conv1.bias", {8}, bias));
  std::string error;
  BOOST_TEST_REQUIRE(cpq::safetensors::write(bad.string(), f, error), error);
  fails_with(train("--bits W2A2 --init-from '" + bad.string() + "' -o '" + scratch("nan_init").string() + "'"),
             bad.string() + ": parameter 'conv1.bias' holds nan at element 5; training cannot start from it (step 0)");
  // A checkpoint holding an infinity: refused at resume, naming the tensor.
  const fs::path run = scratch("inf_ckpt");
  BOOST_TEST_REQUIRE(train(kSmall + " -o '" + run.string() + "' --stop-after-steps 3").exit_code == 0);
  auto ckpt = read_safetensors(run / "checkpoint.safetensors");
  bool changed = false;
  for (auto &t : ckpt.tensors)
    if (t.name == "fc_weight") {
      const float inf = std::numeric_limits<float>::infinity();
      std::memcpy(t.data.data() + 4 * 7, &inf, 4);
      changed = true;
    }
  BOOST_TEST_REQUIRE(changed);
  BOOST_TEST_REQUIRE(cpq::safetensors::write((run / "checkpoint.safetensors").string(), ckpt, error), error);
  fails_with(train(kSmall + " -o '" + run.string() + "' --resume"),
             (run / "checkpoint.safetensors").string() + ": param 'fc.weight' holds inf at element 7; the run cannot resume at step 3");
}
