//===- compress.h - a trained run compressed to the limit ---------*- C++ -*-===//
//
// This file declares what `cpq-compress` does with a cpq-train run folder
// (cpq-method.md section 6, "Towards the Limit of Network Quantization"):
//   1. the network's weights and biases (of its convolutions and dense
//      layers) and their importance: the diagonal of the loss's Hessian
//      (the generated hessian_diag of --cpq-expand-hessian, averaged over
//      the training images, after pruning), the square root of Adam's
//      second-moment estimates from the run's checkpoint (the paper's
//      alternative), or none;
//   2. optionally magnitude pruning of the weights to a sparsity (one
//      threshold over the network), at once or gradually while fine-tuning
//      with the run's own training kernels, the pruned weights held at zero;
//   3. the kept values quantized network-wide (one codebook) or per layer:
//      k-means, Hessian-weighted k-means, uniform cells, or ECSQ; or, for
//      a run trained with CPQ quantizers (--method grid), each weight's
//      level on its own grid, one codebook of levels per grid, scaled by
//      the quantizer's alpha per channel;
//   4. optionally fine-tuning of the shared centres: training steps after
//      which every weight of a cluster is set to the cluster's mean (with
//      SGD, the step of the centre by the cluster's average gradient);
//   5. a compressed model file (cpq/runtime/compressed_model.h) beside a
//      kernel of the network that takes its parameters as inputs, loaded
//      back through cpq::runtime::Model and evaluated on the test set.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "cpq/runtime/compressed_model.h"

#include <cstdint>
#include <functional>
#include <string>

namespace cpq::compress {

struct Options {
  std::string run;                 ///< a cpq-train run folder
  /// kmeans, hkmeans, uniform or ecsq (a float run), grid (a CPQ run: each
  /// weight's level on its own grid, its alpha the scale)
  std::string method = "uniform";
  /// grid: the kernel that runs the model: packed (the frozen integer
  /// network, codes decoded to its packed weights at load time) or float
  /// (the network with its quantizers, codes times alpha decoded to floats)
  std::string grid_kernel = "packed";
  /// diag (the generated hessian_diag over the training images), adam
  /// (sqrt of Adam's second moments from the run's checkpoint) or none
  std::string hessian = "adam";
  int clusters = 0;                ///< k-means family; uniform: k cells over the weights' range
  double rate = 0;                 ///< bits per kept value (index entropy): uniform, ecsq
  double prune = 0;                ///< fraction of the weights pruned, [0, 1)
  /// gradual: the sparsity ramps up (cubic) over the first half of the
  /// pruning fine-tune; oneshot: all pruned before it (also without one)
  std::string prune_schedule = "gradual";
  int fine_tune_epochs = 0;        ///< after pruning, and again for the centres
  double fine_tune_lr = 1e-3;
  int batch = 64;
  bool per_layer = false;          ///< one codebook per parameter, not one for the network
  std::uint64_t seed = 1;
  std::string output;              ///< OUT.cpqz; its kernel: OUT_kernel.{so,json}
  std::string data;                ///< IDX folder (default: Fashion-MNIST)
  int train_limit = 0, test_limit = 0;
  std::string cache;               ///< kernel cache (default: codegen::default_cache())
  std::string target = "host";
  bool pin_kernel = false;         ///< record the kernel's SHA-256 in the .cpqz
  bool progress = true;            ///< fine-tuning's progress lines on stderr
  std::function<void(const std::string &)> note;
};

struct Result {
  runtime::CompressionAccount account;
  double ratio = 0;              ///< as the paper counts it (account.ratio())
  double test_accuracy = 0;      ///< of the compressed model, loaded from its file
  double reference_accuracy = -1; ///< the run's own (its summary.json), -1 if unknown
  double bits_per_weight = 0;    ///< of the coded values, everything of them included
  double sparsity = 0;           ///< pruned fraction of the coded values
  double entropy = 0;            ///< of the kept values' indices, bits
  int clusters = 0;              ///< centres of the codebook (the largest, per layer)
  std::int64_t file_bytes = 0;   ///< the .cpqz on disk
  double file_ratio = 0;         ///< the parameters in float32 against the file's bytes
  double accuracy_before_fine_tune = -1; ///< quantized, before the centres' fine-tuning
};

/// Compresses; false with `error` naming the file or option at fault.
bool compress_run(const Options &options, Result &result, std::string &error);

} // namespace cpq::compress
