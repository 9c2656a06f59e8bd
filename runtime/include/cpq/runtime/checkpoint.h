//===- checkpoint.h - training state between steps ---------------*- C++ -*-===//
//
// This file declares checkpoints of a training run: every parameter and
// optimizer-state argument of a train_step kernel (by the names and shapes
// of its manifest) as float32 tensors of a safetensors file, with what the
// run needs to continue (step, seed, epoch, ...) as the file's metadata.
// Saving is atomic (temporary file, fsync, rename); loading checks the file
// against the kernel, so a checkpoint of another network, or a damaged one,
// is a message naming the file and the tensor, never a crash.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "cpq/runtime/kernel.h"

#include <map>
#include <string>
#include <vector>

namespace cpq::runtime {

struct TrainingState {
  /// By kernel argument name: each "param" and "state" input, row-major.
  std::map<std::string, std::vector<float>> tensors;
  std::map<std::string, std::string> metadata;
};

/// The kernel's inputs a checkpoint holds (roles "param" and "state").
std::vector<const KernelArgument *> checkpointed_arguments(const Kernel &kernel);

bool save_checkpoint(const std::string &path, const Kernel &kernel, const TrainingState &state, std::string &error);
bool load_checkpoint(const std::string &path, const Kernel &kernel, TrainingState &state, std::string &error);

} // namespace cpq::runtime
