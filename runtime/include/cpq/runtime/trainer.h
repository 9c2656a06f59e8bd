//===- trainer.h - the training loop over loaded kernels -----------*- C++ -*-===//
//
// This file declares `Trainer`: a training run of a network over the two
// kernels the code generator made of it, train_step and eval_step, loaded
// with the kernel loader. Everything it needs comes from their manifests
// (manifest.h): which arguments are parameters (and how each starts: init),
// which are optimizer state, which output replaces which input after a
// step, where the images, labels, loss and scalars go, and the quantizers
// whose bits make the model's size. It needs neither MLIR nor the Halide
// compiler: any program that links cpq::trainer and has the kernels can
// train.
//
// A run lives in a folder (RUN):
//   log.csv                 per epoch: step, learning rate, train and test
//                           loss and accuracy, images/s, seconds
//   checkpoint.safetensors  parameters and optimizer state by kernel
//                           argument, with the run's position and
//                           configuration as metadata (after every epoch and
//                           every checkpoint_every steps)
//   params.safetensors      the trained parameters by their network names
//   network.mlir            the network as trained (when given)
//   summary.json            the run's result (when it finished)
// Every file is written atomically. A resumed run continues from its
// checkpoint and ends bit-identical to an uninterrupted one: the epoch
// order depends only on (seed, epoch), and DropBits masks and gates only on
// (seed, step) inside the kernels.
//
// Nothing throws: failures are `false` and a message naming the file, the
// argument or the step.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "cpq/runtime/batches.h"
#include "cpq/runtime/idx.h"
#include "cpq/runtime/kernel.h"

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace cpq::runtime {

struct TrainerOptions {
  std::string run_folder;            ///< RUN; created if missing
  int epochs = 10;
  int batch = 64;
  double learning_rate = 1e-3;       ///< the peak learning rate
  std::string lr_schedule = "cosine"; ///< cosine (to 0 over the run) or constant
  std::uint64_t seed = 1;            ///< shuffling, initialisation, DropBits, gates
  bool resume = false;               ///< continue RUN from its checkpoint
  bool overwrite = false;            ///< start afresh in a RUN that holds a checkpoint
  std::int64_t checkpoint_every = 0; ///< also checkpoint every N steps (0: at epoch ends)
  std::int64_t stop_after_steps = 0; ///< stop, with a checkpoint, after N steps of the run (0: never)
  std::string init_from;             ///< start from these parameters (safetensors, by network name) where names match
  std::string schedule;              ///< the schedule file the kernels were compiled with (empty: hand), for the summary
  /// Images enter as (byte / 255 - mean) / std.
  Normalisation input{0.0f, 1.0f};
  /// The run's configuration as one line; a checkpoint of another
  /// configuration is refused on resume.
  std::string configuration;
  /// Labels of the summary: the network, its bit-widths ("FP32", "W2A2"),
  /// DropBits' p and whether bit-widths are learned.
  std::string network = "network", bits = "FP32";
  double dropbits = 0;
  std::string dropbits_mode = "hierarchical"; ///< of DropBits' masks: hierarchical or independent
  bool learn_bits = false;
  double gate_lambda = 0, gate_lr_scale = 1, gate_init = 3; ///< of learned bit-widths (summary only)
  std::string bits_from; ///< the summary whose per-tensor bits the network has (summary only)
  /// The network as trained, written to RUN/network.mlir (none when empty),
  /// and its function's name (params.safetensors' cpq.network).
  std::string network_text, network_function;
  /// A progress line on stderr (rewritten in place on a terminal).
  bool progress = true;
  /// Receives the run's notes (what it trains, resuming, where it writes).
  std::function<void(const std::string &)> note;
  /// Parameters by network name: their values and count.
  using Parameters = std::map<std::string, std::pair<float *, std::size_t>>;
  /// When set, called with every parameter after initialisation and after
  /// every step, to hold them to a constraint (pruned weights at zero,
  /// weights on shared centres). It must depend on the values only, so
  /// that a resumed run stays bit-identical.
  std::function<void(const Parameters &)> project;
};

/// One quantized tensor of the summary.
struct TensorBits {
  std::string tensor, kind; ///< kind: weight, activation or input
  int bits = 0;             ///< learned ones: read off the trained gates
  std::int64_t elements = 0; ///< weights: all; activations and inputs: per image
};

struct TrainingResult {
  bool stopped = false;            ///< stopped by stop_after_steps before the end
  std::int64_t step = 0, total_steps = 0;
  double test_accuracy = 0, test_loss = 0;
  std::int64_t test_images = 0;
  double images_per_s = 0;         ///< training images per second of kernel time
  double wall_seconds = 0;
  std::int64_t model_bits = 0;     ///< weights at their bit-widths, other parameters at 32 (gates: 0)
  std::int64_t fp32_bits = 0;      ///< every parameter but the gates at 32
  /// Bits per quantized weight, weighted by element count (0: no quantized weight).
  double average_weight_bits = 0;
  std::vector<TensorBits> tensors; ///< each quantizer's tensor, in network order
};

class Trainer {
public:
  /// Both kernels must outlive the trainer.
  Trainer(const Kernel &train_step, const Kernel &eval_step, TrainerOptions options);

  /// Trains on `train`, evaluating on `test` after every epoch; false with
  /// `error` set on failure (bad kernels or data, a damaged checkpoint, a
  /// loss or parameter that stops being finite, a file that cannot be
  /// written). `result.stopped` tells a run stopped by stop_after_steps.
  bool run(const idx::LabelledImages &train, const idx::LabelledImages &test, TrainingResult &result,
           std::string &error);

private:
  const Kernel &step_, &eval_;
  TrainerOptions options_;
};

/// The summary cpq-train prints at the end of a run.
std::string summary_text(const TrainerOptions &options, const TrainingResult &result);

/// The run's summary.json.
std::string summary_json(const TrainerOptions &options, const TrainingResult &result);

/// The learning rate of `step` of `total` steps under the schedule.
double scheduled_learning_rate(const TrainerOptions &options, std::int64_t step, std::int64_t total);

} // namespace cpq::runtime
