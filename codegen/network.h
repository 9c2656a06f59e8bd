//===- network.h - a network prepared for training, its kernels cached -*- C++ -*-===//
//
// This file declares network preparation, what cpq-train, bench/ and any
// program that trains from a .mlir file share: the network file is quantized
// (--cpq-quantize-network, when bits are given) and expanded into
// train_step/eval_step (cpq-train-pipeline), and both functions are compiled
// with the hand schedules into shared objects kept in a cache folder keyed
// by the training module's text, the target and the identity of the running
// executable (a rebuilt tool compiles afresh). What a training run needs of
// the kernels is in their manifests (cpq/runtime/manifest.h), read by
// cpq::runtime::Trainer.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "cpq/kernels/grid.h"
#include "cpq/runtime/init.h"
#include "cpq/runtime/safetensors.h"

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace cpq::codegen {

struct NetworkOptions {
  int weight_bits = 0, activation_bits = 0; ///< 0: the network as written
  int input_bits = 8;
  double dropbits = 0.0;
  std::string dropbits_mode = "hierarchical"; ///< DropBits masks: hierarchical or independent
  bool learn_bits = false;
  double gate_lambda = 0.0;
  double gate_init = 3.0;     ///< initial gate logits log_a
  double gate_lr_scale = 1.0; ///< learning rate of the gate logits, a multiple of the step's
  /// Bits of single tensors ("conv1.weight", "act2"), over weight_bits and
  /// activation_bits: a mixed-width network (e.g. the widths a learned run chose).
  std::map<std::string, int> tensor_bits;
  std::string optimizer = "adam";
  double weight_decay = 0.0;
  double scale_floor = 0.01; ///< quantizer alpha/sigma bound, fraction of the initial value
  double sigma_floor = 1.0;  ///< quantizer sigma bound, fraction of the initial value (the larger bound applies)
  double activation_range = 1.0; ///< initial activation grids span [0, activation_range]
  std::string weight_grid = "signed"; ///< grid of quantized weights: signed or symmetric
  std::string scale_step = "absolute"; ///< optimizer steps of quantizer alpha/sigma: absolute or relative (log space)
};

struct PreparedNetwork {
  std::string name;                              ///< the network function
  std::string network_text, training_text;       ///< after quantizing; after the training pipeline
  std::map<std::string, runtime::ParamInit> init; ///< the network's parameters by name: their init
  std::map<std::string, std::vector<std::int64_t>> shapes; ///< and their shapes
  /// How each parameter is used: "weight" (a convolution's filter or a
  /// dense layer's weight), "bias" (theirs), or "other" (scales, batch-norm
  /// statistics, quantizer parameters).
  std::map<std::string, std::string> uses;
  /// The parameters whose layer reads them through a cpq.quantize.
  std::set<std::string> quantized;
  /// How a parameter quantized by CPQ reads: its grid, its alpha (a
  /// parameter: one value, or one per slice along `axis`), and whether
  /// learned bit-width gates decide its bits.
  struct Quantizer {
    GridSpec grid{GridKind::Signed, 8};
    std::string alpha;
    std::int64_t axis = -1; ///< -1: one alpha for the tensor
    bool gated = false;
  };
  std::map<std::string, Quantizer> quantizers; ///< by the quantized parameter's name
};

/// Parses, quantizes and expands `path`; false with `error` naming the file
/// (MLIR's own diagnostics go to stderr).
bool prepare_network(const std::string &path, const NetworkOptions &options, PreparedNetwork &out,
                     std::string &error);

/// The network's parameters at their first values for `seed` (what a
/// training run starts from), by name; false with `error` set.
bool initial_parameters(const PreparedNetwork &network, std::uint64_t seed, safetensors::File &out,
                        std::string &error);

/// $XDG_CACHE_HOME/cpq, else ~/.cache/cpq.
std::string default_cache();

/// The folder holding train_step.{so,json} and eval_step.{so,json} for
/// `network`, compiled now or found in `cache` (`note`, when set, hears
/// which, and how long compiling took: seconds to minutes); false with
/// `error` set on failure.
/// With `schedule` (a schedule file, schedules/space.h, tuned for
/// train_step: cpq-tune), both functions are compiled with it (eval_step
/// takes the stages it shares with train_step), cached under a key that
/// includes the file's text.
/// With `timed`, the kernels time their stages (runtime::Kernel::profile;
/// cached apart). `split`: AotOptions::split (0 automatic; another count is
/// cached apart).
bool compiled_kernels(const PreparedNetwork &network, const std::string &cache, const std::string &target,
                      const std::function<void(const std::string &)> &note, std::string &folder, std::string &error,
                      const std::string &schedule = "", bool timed = false, int split = 0);

/// The network text expanded by --cpq-expand-hessian (its hessian_diag);
/// false with `error` naming the layer without a second-order pass.
bool hessian_module(const PreparedNetwork &network, std::string &text, std::string &error);
/// The prefix (folder/hessian_diag) of the network's compiled hessian_diag,
/// compiled now or found in `cache` like the training kernels.
bool compiled_hessian(const PreparedNetwork &network, const std::string &cache, const std::string &target,
                      const std::function<void(const std::string &)> &note, std::string &prefix, std::string &error);
} // namespace cpq::codegen
