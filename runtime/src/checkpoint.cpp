//===- checkpoint.cpp - training state between steps ------------------------===//
#include "cpq/runtime/checkpoint.h"

#include "cpq/runtime/safetensors.h"

#include <algorithm>

namespace cpq::runtime {

namespace {

std::int64_t elements(const KernelArgument &a) {
  std::int64_t n = 1;
  for (std::int64_t d : a.shape) n *= d;
  return n;
}

} // namespace

std::vector<const KernelArgument *> checkpointed_arguments(const Kernel &kernel) {
  std::vector<const KernelArgument *> out;
  for (const KernelArgument &a : kernel.arguments())
    if (!a.output && a.buffer && (a.role == "param" || a.role == "state")) out.push_back(&a);
  return out;
}

bool save_checkpoint(const std::string &path, const Kernel &kernel, const TrainingState &state, std::string &error) {
  safetensors::File file;
  file.metadata = state.metadata;
  file.metadata["cpq.kernel"] = kernel.function();
  for (const KernelArgument *a : checkpointed_arguments(kernel)) {
    auto it = state.tensors.find(a->name);
    if (it == state.tensors.end())
      return error = path + ": not written: no values for '" + a->name + "'", false;
    if (std::int64_t(it->second.size()) != elements(*a))
      return error = path + ": not written: '" + a->name + "' has " + std::to_string(it->second.size()) +
                     " values, its shape " + shape_text(a->shape) + " needs " + std::to_string(elements(*a)),
             false;
    file.tensors.push_back(safetensors::make_f32(a->name, a->shape, it->second));
  }
  return safetensors::write(path, file, error);
}

bool load_checkpoint(const std::string &path, const Kernel &kernel, TrainingState &state, std::string &error) {
  state = TrainingState{};
  safetensors::File file;
  if (!safetensors::read(path, file, error)) return false;
  const auto wanted = checkpointed_arguments(kernel);
  for (const safetensors::Tensor &t : file.tensors) {
    const KernelArgument *a = kernel.argument(t.name);
    if (!a || std::find(wanted.begin(), wanted.end(), a) == wanted.end())
      return error = path + ": tensor '" + t.name + "' is not a parameter or state of " + kernel.function() +
                     " (a checkpoint of another network?)",
             false;
  }
  for (const KernelArgument *a : wanted) {
    const safetensors::Tensor *t = file.find(a->name);
    if (!t) return error = path + ": no tensor '" + a->name + "' (" + a->role + " of " + kernel.function() + ")", false;
    if (t->dtype != "F32") return error = path + ": '" + a->name + "' is " + t->dtype + ", expected F32", false;
    if (t->shape != a->shape)
      return error = path + ": '" + a->name + "' has shape " + shape_text(t->shape) + ", " + kernel.function() +
                     " needs " + shape_text(a->shape),
             false;
    state.tensors[a->name] = t->as_f32();
  }
  state.metadata = file.metadata;
  return true;
}

} // namespace cpq::runtime
