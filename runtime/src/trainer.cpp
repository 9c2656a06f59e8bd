//===- trainer.cpp - the training loop over loaded kernels ------------------===//
#include "cpq/runtime/trainer.h"

#include "cpq/kernels/gates.h"
#include "cpq/runtime/atomic_file.h"
#include "cpq/runtime/checkpoint.h"
#include "cpq/runtime/init.h"
#include "cpq/runtime/roles.h"
#include "cpq/runtime/safetensors.h"
#include "cpq/runtime/tensor.h"

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <map>
#include <memory>
#include <set>
#include <sstream>

namespace cpq::runtime {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

/// "nan at element 12" for the first value of `v` that is not finite, "" if all are.
std::string non_finite(const std::vector<float> &v) {
  for (std::size_t e = 0; e < v.size(); ++e)
    if (!std::isfinite(v[e])) return std::to_string(v[e]) + " at element " + std::to_string(e);
  return "";
}

/// An exact text form of a double (for sums kept across a resume).
std::string exact(double v) {
  char b[64];
  std::snprintf(b, sizeof b, "%a", v);
  return b;
}

std::string read_text(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

constexpr char kLogHeader[] = "epoch,step,lr,train_loss,train_accuracy,test_loss,test_accuracy,train_images_per_s,seconds";

/// One line of progress on stderr, rewritten in place on a terminal, a line
/// at each quarter of an epoch otherwise.
class Progress {
public:
  Progress(bool enabled, int epochs, int batch) : enabled_(enabled), tty_(::isatty(2)), epochs_(epochs), batch_(batch) {}
  void update(std::int64_t epoch, std::int64_t done, std::int64_t total, double loss, double acc, double img_s) {
    if (!enabled_) return;
    const double f = total ? static_cast<double>(done) / static_cast<double>(total) : 1.0;
    if (!tty_) {
      const int quarter = static_cast<int>(f * 4);
      if (quarter == last_quarter_ && done != total) return;
      last_quarter_ = quarter;
    }
    const int width = 24, filled = static_cast<int>(f * width);
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.resize(width, '.');
    const double eta = img_s > 0 ? (static_cast<double>(total - done) * batch_) / img_s : 0;
    std::fprintf(stderr, "%sepoch %lld/%d [%s] %3.0f%%  loss %.4f  acc %5.2f%%  %6.0f img/s  eta %3.0f s%s",
                 tty_ ? "\r" : "", static_cast<long long>(epoch + 1), epochs_, bar.c_str(), 100 * f, loss, 100 * acc,
                 img_s, eta, tty_ ? "" : "\n");
    if (tty_ && done == total) std::fprintf(stderr, "\n");
    std::fflush(stderr);
  }
  void reset() { last_quarter_ = -1; }

private:
  bool enabled_, tty_;
  int epochs_, batch_;
  int last_quarter_ = -1;
};

struct Evaluation {
  double loss = 0, accuracy = 0;
};

/// The state of one run: the tensors of every train_step argument, where
/// the run stands, and the log so far.
class Session {
public:
  Session(const Kernel &step, const Kernel &eval, const TrainerOptions &o, const idx::LabelledImages &train,
          const idx::LabelledImages &test)
      : train_k_(step), eval_k_(eval), o_(o), train_(train), test_(test) {}

  bool run(TrainingResult &result, std::string &error);

private:
  /// The argument of `kernel` with `role` (and the direction); null if none.
  static const KernelArgument *with_role(const Kernel &kernel, const char *role, bool output = false) {
    for (const KernelArgument &a : kernel.arguments())
      if (a.role == role && a.output == output) return &a;
    return nullptr;
  }
  bool check_kernels(std::string &error);
  bool start(std::string &error);
  bool resume(std::string &error);
  bool initialise(std::string &error);
  bool save(const std::string &why, std::string &error);
  bool write_log(std::string &error);
  bool step_once(const std::vector<std::uint32_t> &order, std::int64_t b, double &compute, std::string &error);
  bool evaluate(Evaluation &e, std::string &error);
  void summarise(TrainingResult &r) const;
  void project();
  void note(const std::string &m) const {
    if (o_.note) o_.note(m);
  }

  const Kernel &train_k_, &eval_k_;
  const TrainerOptions &o_;
  const idx::LabelledImages &train_, &test_;
  const KernelArgument *input_ = nullptr, *labels_ = nullptr, *loss_ = nullptr, *correct_ = nullptr;
  std::map<std::string, std::unique_ptr<HostTensor>> tensors_; ///< by train_step argument
  std::vector<const KernelArgument *> checkpointed_;
  std::string checkpoint_path_;
  std::int64_t steps_per_epoch_ = 0, total_steps_ = 0, step_ = 0;
  double loss_sum_ = 0;
  std::int64_t correct_sum_ = 0, seen_ = 0;
  std::vector<std::string> log_rows_;
};

bool Session::check_kernels(std::string &error) {
  input_ = with_role(train_k_, roles::input), labels_ = with_role(train_k_, roles::labels);
  loss_ = with_role(train_k_, roles::loss, true), correct_ = with_role(train_k_, roles::correct, true);
  if (!input_ || !labels_ || !loss_ || !correct_)
    return error = train_k_.function() + ": not a training step (it needs arguments of roles input, labels, loss and "
                                      "correct)",
           false;
  if (input_->shape.size() != 4 || input_->shape[1] != 1)
    return error = train_k_.function() + ": the network's input must be [batch, 1, rows, cols] images, not " +
                   shape_text(input_->shape, "batch"),
           false;
  if (input_->shape[2] != train_.rows || input_->shape[3] != train_.cols)
    return error = train_k_.function() + ": the network takes " + std::to_string(input_->shape[2]) + "x" +
                   std::to_string(input_->shape[3]) + " images; the data are " + std::to_string(train_.rows) + "x" +
                   std::to_string(train_.cols),
           false;
  if (std::none_of(train_k_.arguments().begin(), train_k_.arguments().end(), [](const KernelArgument &a) {
        return a.output && a.role == roles::param && !a.updates.empty();
      }))
    return error = train_k_.function() + ": not a training step (no output updates a parameter)", false;
  for (const KernelArgument &a : train_k_.arguments()) {
    if (!a.buffer && a.role != roles::step && a.role != roles::seed && a.role != roles::learning_rate)
      return error = train_k_.function() + ": scalar argument '" + a.name + "' has role '" + a.role +
                     "' (a training step takes step, seed and learning_rate)",
             false;
    if (a.output && a.buffer && (a.role == roles::param || a.role == roles::state) && a.updates.empty())
      return error = train_k_.function() + ": output '" + a.name + "' updates no input in its manifest (a kernel of an "
                                        "older cpq-compile? compile it again)",
             false;
  }
  for (const KernelArgument &a : eval_k_.arguments()) {
    if (a.output || a.role != roles::param) continue;
    const KernelArgument *s = train_k_.argument(a.name);
    if (!s || s->output || s->role != roles::param || s->shape != a.shape)
      return error = eval_k_.function() + ": parameter '" + a.tensor + "' is not a parameter of " + train_k_.function() +
                     " of the same shape",
             false;
  }
  if (!with_role(eval_k_, roles::input) || !with_role(eval_k_, roles::labels) || !with_role(eval_k_, roles::loss, true) ||
      !with_role(eval_k_, roles::correct, true))
    return error = eval_k_.function() + ": not an evaluation step (it needs input, labels, loss and correct)", false;
  return true;
}

/// The options' projection over the parameters, when there is one.
void Session::project() {
  if (!o_.project) return;
  TrainerOptions::Parameters views;
  for (const KernelArgument *a : checkpointed_)
    if (a->role == roles::param) {
      HostTensor &t = *tensors_.at(a->name);
      views[a->tensor] = {t.data<float>(), t.count()};
    }
  o_.project(views);
}

bool Session::initialise(std::string &error) {
  for (const KernelArgument *a : checkpointed_) {
    if (a->role != roles::param) continue; // optimizer state starts at zero
    if (!a->init)
      return error = train_k_.function() + ": parameter '" + a->tensor + "' has no init in its manifest", false;
    std::vector<float> values;
    if (!initial_value(a->tensor, *a->init, a->shape, o_.seed, values, error)) return false;
    tensors_[a->name]->assign_floats(values);
  }
  if (o_.init_from.empty()) return project(), true;
  // Parameters of the same name from a file (fine-tuning a trained network).
  safetensors::File from;
  if (!safetensors::read(o_.init_from, from, error)) return false;
  int loaded = 0;
  for (const KernelArgument *a : checkpointed_) {
    if (a->role != roles::param) continue;
    const safetensors::Tensor *t = from.find(a->tensor);
    if (!t) continue;
    if (t->dtype != "F32" || t->shape != a->shape)
      return error = o_.init_from + ": '" + t->name + "' is " + t->dtype + " of another shape than the network's "
                                                               "parameter",
             false;
    const std::vector<float> values = t->as_f32();
    if (const std::string bad = non_finite(values); !bad.empty())
      return error = o_.init_from + ": parameter '" + t->name + "' holds " + bad +
                     "; training cannot start from it (step 0)",
             false;
    tensors_[a->name]->assign_floats(values);
    ++loaded;
  }
  if (loaded == 0) return error = o_.init_from + ": holds none of the network's parameters", false;
  note("started from " + std::to_string(loaded) + " parameters of " + o_.init_from);
  project();
  return true;
}

bool Session::resume(std::string &error) {
  TrainingState state;
  if (!load_checkpoint(checkpoint_path_, train_k_, state, error)) return false;
  if (state.metadata["cpq.config"] != o_.configuration)
    return error = checkpoint_path_ + ": made by a run of another configuration:\n  " + state.metadata["cpq.config"] +
                   "\nthis run:\n  " + o_.configuration,
           false;
  try {
    step_ = std::stoll(state.metadata.at("cpq.step"));
    loss_sum_ = std::strtod(state.metadata.at("cpq.epoch_loss_sum").c_str(), nullptr);
    correct_sum_ = std::stoll(state.metadata.at("cpq.epoch_correct"));
    seen_ = std::stoll(state.metadata.at("cpq.epoch_seen"));
  } catch (const std::exception &) {
    return error = checkpoint_path_ + ": its metadata lacks the run's position (cpq.step, cpq.epoch_*)", false;
  }
  if (step_ < 0 || step_ > total_steps_ || seen_ < 0 || correct_sum_ < 0 || correct_sum_ > seen_ ||
      seen_ > train_.count || !std::isfinite(loss_sum_))
    return error = checkpoint_path_ + ": its metadata holds an impossible position (step " + std::to_string(step_) +
                   " of " + std::to_string(total_steps_) + ", " + std::to_string(seen_) + " images seen this epoch)",
           false;
  for (const KernelArgument *a : checkpointed_) {
    if (const std::string bad = non_finite(state.tensors[a->name]); !bad.empty())
      return error = checkpoint_path_ + ": " + a->role + " '" + a->tensor + "' holds " + bad + "; the run cannot resume at step " +
                     std::to_string(step_) + " (start it afresh with --overwrite, or from a good run's params with --init-from)",
             false;
    tensors_[a->name]->assign_floats(state.tensors[a->name]);
  }
  std::istringstream log(read_text(o_.run_folder + "/log.csv"));
  std::string line;
  std::getline(log, line);
  const std::int64_t epochs_done = step_ / steps_per_epoch_;
  while (static_cast<std::int64_t>(log_rows_.size()) < epochs_done && std::getline(log, line)) log_rows_.push_back(line);
  if (static_cast<std::int64_t>(log_rows_.size()) != epochs_done)
    return error = o_.run_folder + "/log.csv: has fewer epochs than the checkpoint (" + std::to_string(epochs_done) +
                   ")",
           false;
  note("resuming at step " + std::to_string(step_) + " of " + std::to_string(total_steps_));
  return true;
}

bool Session::start(std::string &error) {
  if (o_.epochs < 1 || o_.batch < 1) return error = "the run needs at least one epoch and a batch of at least 1", false;
  if (o_.lr_schedule != "cosine" && o_.lr_schedule != "constant")
    return error = "the learning-rate schedule must be cosine or constant, not '" + o_.lr_schedule + "'", false;
  if (train_.count < 1 || test_.count < 1) return error = "the training and test sets must hold images", false;
  checkpoint_path_ = o_.run_folder + "/checkpoint.safetensors";
  if (o_.resume && o_.overwrite) return error = "resume and overwrite exclude each other", false;
  if (o_.resume && !fs::exists(checkpoint_path_))
    return error = checkpoint_path_ + ": no checkpoint to resume from (run without --resume to start)", false;
  if (!o_.resume && !o_.overwrite && fs::exists(checkpoint_path_))
    return error = checkpoint_path_ + ": the run folder already holds a run; continue it with --resume, start it "
                                      "afresh with --overwrite, or choose another -o",
           false;
  if (!check_kernels(error)) return false;
  for (const KernelArgument &a : train_k_.arguments())
    if (a.buffer) tensors_[a.name] = std::make_unique<HostTensor>(a, o_.batch);
  checkpointed_ = checkpointed_arguments(train_k_);
  steps_per_epoch_ = (train_.count + o_.batch - 1) / o_.batch;
  total_steps_ = steps_per_epoch_ * o_.epochs;
  std::error_code ec;
  fs::create_directories(o_.run_folder, ec);
  if (ec) return error = o_.run_folder + ": cannot create the run folder (" + ec.message() + ")", false;
  if (o_.resume ? !resume(error) : !initialise(error)) return false;
  if (!o_.network_text.empty() && !write_atomically(o_.run_folder + "/network.mlir", o_.network_text, error))
    return false;
  return o_.resume || write_log(error);
}

bool Session::save(const std::string &why, std::string &error) {
  TrainingState state;
  for (const KernelArgument *a : checkpointed_) state.tensors[a->name] = tensors_[a->name]->to_floats();
  state.metadata = {{"cpq.config", o_.configuration},
                    {"cpq.step", std::to_string(step_)},
                    {"cpq.epoch_loss_sum", exact(loss_sum_)},
                    {"cpq.epoch_correct", std::to_string(correct_sum_)},
                    {"cpq.epoch_seen", std::to_string(seen_)},
                    {"cpq.saved_at", why}};
  // The trained parameters under their network names, for
  // cpq-opt --cpq-inference-pipeline=params=... on network.mlir. Written
  // before the checkpoint: the checkpoint is the last file of a save, so a
  // run killed between the two resumes from the older checkpoint and writes
  // both again (the other order could leave a finished run's checkpoint
  // beside older parameters, which resuming the finished run kept).
  safetensors::File params;
  params.metadata["cpq.network"] = o_.network_function;
  for (const KernelArgument *a : checkpointed_)
    if (a->role == roles::param) params.tensors.push_back(safetensors::make_f32(a->tensor, a->shape, state.tensors[a->name]));
  if (!safetensors::write(o_.run_folder + "/params.safetensors", params, error)) return false;
  return save_checkpoint(checkpoint_path_, train_k_, state, error);
}

bool Session::write_log(std::string &error) {
  std::string text = std::string(kLogHeader) + "\n";
  for (const std::string &r : log_rows_) text += r + "\n";
  return write_atomically(o_.run_folder + "/log.csv", text, error);
}

/// Batch `b` of the epoch in `order`: one train_step, then every updated
/// parameter and state takes its output's place.
bool Session::step_once(const std::vector<std::uint32_t> &order, std::int64_t b, double &compute, std::string &error) {
  const std::int64_t first = b * o_.batch, n = std::min<std::int64_t>(o_.batch, train_.count - first);
  if (tensors_[input_->name]->shape()[0] != n) // the last, smaller batch
    for (const KernelArgument &a : train_k_.arguments())
      if (a.buffer && !a.output && (a.role == roles::input || a.role == roles::labels))
        tensors_[a.name] = std::make_unique<HostTensor>(a, n);
  if (!fill_batch(train_, order, static_cast<std::size_t>(first), static_cast<std::size_t>(n), o_.input,
                  tensors_[input_->name]->data<float>(), tensors_[labels_->name]->data<std::int32_t>(), error))
    return false;
  std::map<std::string, halide_buffer_t *> buffers;
  for (auto &[name, t] : tensors_) buffers[name] = t->buffer();
  std::map<std::string, Scalar> scalars;
  for (const KernelArgument &a : train_k_.arguments()) {
    if (a.buffer) continue;
    if (a.role == roles::step) scalars[a.name] = Scalar::of_int(step_);
    if (a.role == roles::seed) scalars[a.name] = Scalar::of_int(static_cast<std::int64_t>(o_.seed));
    if (a.role == roles::learning_rate) scalars[a.name] = Scalar::of(scheduled_learning_rate(o_, step_, total_steps_));
  }
  const auto t0 = Clock::now();
  if (!train_k_.call(buffers, scalars, error)) return error = "train_step: " + error, false;
  compute += seconds_since(t0);
  const float loss = tensors_[loss_->name]->data<float>()[0];
  if (!std::isfinite(loss))
    return error = "the loss became " + std::to_string(loss) + " at step " + std::to_string(step_) +
                   " (try a smaller --lr)",
           false;
  // Every updated parameter and optimizer state (Adam's moments can
  // overflow while the parameters still look sane).
  for (const KernelArgument &a : train_k_.arguments())
    if (a.output && a.buffer && !a.updates.empty() && a.type.code == halide_type_float && a.type.bits == 32) {
      const HostTensor &t = *tensors_.at(a.name);
      const float *v = t.data<float>();
      for (std::size_t e = 0; e < t.count(); ++e)
        if (!std::isfinite(v[e])) {
          const KernelArgument *in = train_k_.argument(a.updates);
          const std::string what = in && in->role == roles::state ? "optimizer state '" : "parameter '";
          return error = what + (in ? in->tensor : a.tensor) + "' became " + std::to_string(v[e]) + " at element " +
                         std::to_string(e) + " at step " + std::to_string(step_) + " (try a smaller --lr)",
                 false;
        }
    }
  for (const KernelArgument &a : train_k_.arguments())
    if (!a.updates.empty()) tensors_.at(a.updates)->swap(*tensors_.at(a.name));
  project();
  loss_sum_ += static_cast<double>(loss) * static_cast<double>(n);
  correct_sum_ += tensors_[correct_->name]->data<std::int32_t>()[0];
  seen_ += n;
  ++step_;
  return true;
}

/// The test set through eval_step, in batches of up to 1000.
bool Session::evaluate(Evaluation &e, std::string &error) {
  const std::int64_t eb = std::min<std::int64_t>(1000, test_.count);
  std::map<std::string, std::unique_ptr<HostTensor>> et;
  auto allocate = [&](std::int64_t n) {
    for (const KernelArgument &a : eval_k_.arguments())
      if (a.buffer && a.role != roles::param) et[a.name] = std::make_unique<HostTensor>(a, n);
  };
  allocate(eb);
  const KernelArgument *input = with_role(eval_k_, roles::input), *labels = with_role(eval_k_, roles::labels);
  const KernelArgument *loss_arg = with_role(eval_k_, roles::loss, true), *correct = with_role(eval_k_, roles::correct, true);
  std::vector<std::uint32_t> order(static_cast<std::size_t>(test_.count));
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<std::uint32_t>(i);
  double loss = 0;
  std::int64_t right = 0;
  for (std::int64_t first = 0; first < test_.count; first += eb) {
    const std::int64_t n = std::min(eb, test_.count - first);
    if (n != eb) allocate(n);
    if (!fill_batch(test_, order, static_cast<std::size_t>(first), static_cast<std::size_t>(n), o_.input,
                    et[input->name]->data<float>(), et[labels->name]->data<std::int32_t>(), error))
      return false;
    std::map<std::string, halide_buffer_t *> buffers;
    for (const KernelArgument &a : eval_k_.arguments()) {
      if (!a.buffer) continue;
      buffers[a.name] = a.role == roles::param ? tensors_.at(a.name)->buffer() : et.at(a.name)->buffer();
    }
    if (!eval_k_.call(buffers, {}, error)) return error = "eval_step: " + error, false;
    loss += static_cast<double>(et[loss_arg->name]->data<float>()[0]) * static_cast<double>(n);
    right += et[correct->name]->data<std::int32_t>()[0];
  }
  e = {loss / static_cast<double>(test_.count), static_cast<double>(right) / static_cast<double>(test_.count)};
  return true;
}

/// Each quantizer's tensor and bits (learned ones read off the trained
/// gates), and the model's size: quantized weights at their bits, gate
/// logits at none, every other parameter at 32.
void Session::summarise(TrainingResult &r) const {
  std::map<std::string, std::vector<float>> trained; // by network name
  for (const KernelArgument *a : checkpointed_)
    if (a->role == roles::param) trained[a->tensor] = tensors_.at(a->name)->to_floats();
  std::map<std::string, int> weight_bits;
  std::set<std::string> gates;
  for (const QuantizerInfo &q : train_k_.manifest().quantizers) {
    int b = q.bits;
    if (!q.gate.empty() && trained.count(q.gate)) {
      const std::vector<float> &g = trained.at(q.gate);
      std::vector<double> log_a(g.begin(), g.end());
      b = learned_bits(q.bits, log_a.data());
      gates.insert(q.gate);
    }
    r.tensors.push_back({q.tensor, q.kind, b, q.elements});
    if (q.kind == "weight") weight_bits[q.tensor] = b;
  }
  std::int64_t weights = 0, weight_bits_total = 0;
  for (const TensorBits &t : r.tensors)
    if (t.kind == "weight") weights += t.elements, weight_bits_total += t.elements * t.bits;
  r.average_weight_bits = weights ? static_cast<double>(weight_bits_total) / static_cast<double>(weights) : 0.0;
  r.model_bits = r.fp32_bits = 0;
  for (const auto &[name, values] : trained) {
    const std::int64_t n = static_cast<std::int64_t>(values.size());
    if (gates.count(name)) continue;
    r.fp32_bits += 32 * n;
    auto it = weight_bits.find(name);
    r.model_bits += (it != weight_bits.end() ? it->second : 32) * n;
  }
}

bool Session::run(TrainingResult &result, std::string &error) {
  if (!start(error)) return false;
  note("training " + o_.network + " " + o_.bits + (o_.dropbits > 0 ? " with DropBits" : "") + " on " +
       std::to_string(train_.count) + " images, " + std::to_string(o_.epochs) + " epochs of " +
       std::to_string(steps_per_epoch_) + " steps, batch " + std::to_string(o_.batch) + "; run folder " +
       o_.run_folder);
  Progress progress(o_.progress, o_.epochs, o_.batch);
  double train_seconds = 0;
  std::int64_t train_images = 0;
  Evaluation last{};
  bool stopped = false;
  const auto run_start = Clock::now();
  while (step_ < total_steps_) {
    const std::int64_t epoch = step_ / steps_per_epoch_;
    const auto order = epoch_order(static_cast<std::uint32_t>(train_.count), o_.seed, static_cast<std::uint64_t>(epoch));
    const auto epoch_start = Clock::now();
    const std::int64_t seen_before = seen_;
    double epoch_compute = 0;
    progress.reset();
    for (std::int64_t b = step_ % steps_per_epoch_; b < steps_per_epoch_; ++b) {
      if (!step_once(order, b, epoch_compute, error)) return false;
      const std::int64_t epoch_images = seen_ - seen_before;
      const double img_s = epoch_compute > 0 ? static_cast<double>(epoch_images) / epoch_compute : 0;
      progress.update(epoch, b + 1, steps_per_epoch_, loss_sum_ / static_cast<double>(seen_),
                      static_cast<double>(correct_sum_) / static_cast<double>(seen_), img_s);
      const bool stop_now = o_.stop_after_steps > 0 && step_ >= o_.stop_after_steps && step_ < total_steps_;
      if (b + 1 < steps_per_epoch_ && (stop_now || (o_.checkpoint_every > 0 && step_ % o_.checkpoint_every == 0)) &&
          !save("step " + std::to_string(step_), error))
        return false;
      if (stop_now && b + 1 < steps_per_epoch_) {
        stopped = true;
        break;
      }
    }
    const std::int64_t epoch_images = seen_ - seen_before;
    train_seconds += epoch_compute;
    train_images += epoch_images;
    if (stopped) break;
    if (!evaluate(last, error)) return false;
    const double img_s = epoch_compute > 0 ? static_cast<double>(epoch_images) / epoch_compute : 0;
    std::ostringstream row;
    row << std::setprecision(6) << epoch + 1 << "," << step_ << ","
        << scheduled_learning_rate(o_, step_ - 1, total_steps_) << "," << loss_sum_ / static_cast<double>(seen_) << ","
        << static_cast<double>(correct_sum_) / static_cast<double>(seen_) << "," << last.loss << "," << last.accuracy
        << "," << std::setprecision(1) << std::fixed << img_s << "," << seconds_since(epoch_start);
    log_rows_.push_back(row.str());
    loss_sum_ = 0, correct_sum_ = 0, seen_ = 0;
    // The log before the checkpoint: a resume reads the log's first rows up
    // to the checkpoint's epoch, so a kill between the two must not leave a
    // checkpoint of an epoch the log lacks (resume refused it).
    if (!write_log(error) || !save("epoch " + std::to_string(epoch + 1), error)) return false;
    if (o_.progress)
      std::fprintf(stderr, "epoch %lld/%d: test loss %.4f, test accuracy %.2f%%\n", static_cast<long long>(epoch + 1),
                   o_.epochs, last.loss, 100 * last.accuracy);
    if (o_.stop_after_steps > 0 && step_ >= o_.stop_after_steps && step_ < total_steps_) {
      stopped = true;
      break;
    }
  }
  result = TrainingResult{};
  result.step = step_, result.total_steps = total_steps_;
  if (stopped) return result.stopped = true, true;
  if (o_.resume && train_images == 0 && !evaluate(last, error)) return false; // resumed a finished run
  result.test_accuracy = last.accuracy, result.test_loss = last.loss, result.test_images = test_.count;
  result.images_per_s = train_seconds > 0 ? static_cast<double>(train_images) / train_seconds : 0;
  result.wall_seconds = seconds_since(run_start);
  summarise(result);
  return write_atomically(o_.run_folder + "/summary.json", summary_json(o_, result), error);
}

} // namespace

Trainer::Trainer(const Kernel &train_step, const Kernel &eval_step, TrainerOptions options)
    : step_(train_step), eval_(eval_step), options_(std::move(options)) {}

bool Trainer::run(const idx::LabelledImages &train, const idx::LabelledImages &test, TrainingResult &result,
                  std::string &error) {
  return Session(step_, eval_, options_, train, test).run(result, error);
}

double scheduled_learning_rate(const TrainerOptions &o, std::int64_t step, std::int64_t total) {
  if (o.lr_schedule == "constant" || total <= 0) return o.learning_rate;
  return o.learning_rate * 0.5 * (1.0 + std::cos(M_PI * static_cast<double>(step) / static_cast<double>(total)));
}

std::string summary_text(const TrainerOptions &o, const TrainingResult &r) {
  std::ostringstream s;
  s << std::fixed;
  s << "\n" << o.network << " " << o.bits;
  if (o.dropbits > 0)
    s << ", DropBits p=" << std::setprecision(2) << o.dropbits
      << (o.dropbits_mode == "independent" ? " (independent masks)" : "");
  if (!o.bits_from.empty()) s << ", per-tensor bits of " << o.bits_from;
  if (!o.init_from.empty()) s << ", from " << o.init_from;
  if (o.learn_bits) s << ", learned bit-widths (lambda " << std::defaultfloat << o.gate_lambda << ")" << std::fixed;
  s << ", " << o.epochs << " epochs, batch " << o.batch << ", seed " << o.seed << "\n";
  s << std::setprecision(2) << "  test accuracy      " << 100 * r.test_accuracy << " %  (loss " << std::setprecision(4)
    << r.test_loss << ", " << r.test_images << " images)\n";
  s << std::setprecision(0) << "  training speed     " << r.images_per_s << " images/s (kernel time)\n";
  s << std::setprecision(1) << "  wall time          " << r.wall_seconds << " s\n";
  s << "  model size         " << r.model_bits << " bits = " << std::setprecision(1)
    << static_cast<double>(r.model_bits) / 8192.0 << " KiB (FP32: " << static_cast<double>(r.fp32_bits) / 8192.0
    << " KiB, " << std::setprecision(1) << static_cast<double>(r.fp32_bits) / static_cast<double>(r.model_bits)
    << "x smaller)\n";
  if (r.average_weight_bits > 0)
    s << std::setprecision(3) << "  weight bits        " << r.average_weight_bits << " on average (by element count)\n";
  if (!r.tensors.empty()) {
    s << "  tensor                 kind         bits   elements\n";
    for (const TensorBits &t : r.tensors) {
      char line[160];
      std::snprintf(line, sizeof line, "  %-22s %-12s %4d   %8lld%s\n", t.tensor.c_str(), t.kind.c_str(), t.bits,
                    static_cast<long long>(t.elements), t.kind == "weight" ? "" : " per image");
      s << line;
    }
  }
  return s.str();
}

std::string summary_json(const TrainerOptions &o, const TrainingResult &r) {
  nlohmann::ordered_json j;
  j["network"] = o.network;
  j["bits"] = o.bits;
  j["dropbits"] = o.dropbits;
  j["dropbits_mode"] = o.dropbits_mode;
  j["learn_bits"] = o.learn_bits;
  if (!o.bits_from.empty()) j["bits_from"] = o.bits_from;
  if (!o.init_from.empty()) j["init_from"] = o.init_from;
  j["schedule"] = o.schedule.empty() ? std::string("hand") : o.schedule;
  if (o.learn_bits) j["gate_lambda"] = o.gate_lambda, j["gate_lr_scale"] = o.gate_lr_scale, j["gate_init"] = o.gate_init;
  j["epochs"] = o.epochs;
  j["batch"] = o.batch;
  j["seed"] = o.seed;
  j["test_accuracy"] = r.test_accuracy;
  j["test_loss"] = r.test_loss;
  j["train_images_per_s"] = r.images_per_s;
  j["model_bits"] = r.model_bits;
  j["fp32_bits"] = r.fp32_bits;
  j["average_weight_bits"] = r.average_weight_bits;
  j["tensors"] = nlohmann::ordered_json::array();
  for (const TensorBits &t : r.tensors)
    j["tensors"].push_back({{"tensor", t.tensor}, {"kind", t.kind}, {"bits", t.bits}, {"elements", t.elements}});
  return j.dump(2) + "\n";
}

} // namespace cpq::runtime
