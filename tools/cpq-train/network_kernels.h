//===- network_kernels.h - a network's training kernels, cached ---*- C++ -*-===//
//
// This file declares what cpq-train and bench/train share: a network file is
// quantized (--cpq-quantize-network, when bits are given) and expanded into
// train_step/eval_step (cpq-train-pipeline); what a run needs of it is read
// off the module (each parameter's init, the quantizers and their bits); and
// both functions are compiled with the hand schedules into shared objects,
// kept in a cache folder keyed by the training module's text, the target and
// the identity of the running executable (a rebuilt tool compiles afresh).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "cpq/runtime/init.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace cpq::train {

struct NetworkOptions {
  int weight_bits = 0, activation_bits = 0; ///< 0: the network as written
  int input_bits = 8;
  double dropbits = 0.0;
  bool learn_bits = false;
  double gate_lambda = 0.0;
  std::string optimizer = "adam";
  double weight_decay = 0.0;
  double scale_floor = 0.01; ///< quantizer alpha/sigma bound, fraction of the initial value
  double sigma_floor = 1.0;  ///< quantizer sigma bound, fraction of the initial value (the larger bound applies)
  double activation_range = 1.0; ///< initial activation grids span [0, activation_range]
  std::string weight_grid = "signed"; ///< grid of quantized weights: signed or symmetric
  std::string scale_step = "absolute"; ///< optimizer steps of quantizer alpha/sigma: absolute or relative (log space)
};

/// What the summary says about one quantizer.
struct QuantizerInfo {
  std::string tensor, kind;  ///< name; "weight", "activation" or "input"
  int bits = 0;              ///< the op's (maximum) bits
  std::int64_t elements = 0; ///< weights: all; activations: per image
  std::string gate_param;    ///< learned bit-widths: the gate logits' parameter
};

struct PreparedNetwork {
  std::string name;                              ///< the network function
  std::string network_text, training_text;       ///< after quantizing; after the training pipeline
  std::map<std::string, runtime::ParamInit> init; ///< by parameter name
  std::map<std::string, std::vector<std::int64_t>> shapes; ///< by parameter name
  std::map<std::string, std::string> param_of_arg; ///< train_step argument (C identifier) -> parameter name
  std::vector<QuantizerInfo> quantizers;
};

/// Parses, quantizes and expands `path`; false with `error` naming the file
/// (MLIR's own diagnostics go to stderr).
bool prepare_network(const std::string &path, const NetworkOptions &options, PreparedNetwork &out,
                     std::string &error);

/// $XDG_CACHE_HOME/cpq, else ~/.cache/cpq.
std::string default_cache();

/// The folder holding train_step.{so,json} and eval_step.{so,json} for
/// `network`, compiled now (with a note on stderr unless `quiet`) or found in
/// `cache`; false with `error` set on failure.
bool compiled_kernels(const PreparedNetwork &network, const std::string &cache, const std::string &target, bool quiet,
                      std::string &folder, std::string &error);

} // namespace cpq::train
