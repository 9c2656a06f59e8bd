//===- train_step.h - timing a compiled train_step on real images -*- C++ -*-===//
//
// A network's train_step kernel (compiled by codegen::compiled_kernels) run
// on Fashion-MNIST images from its parameters' first values: three warm-up
// steps, then the median images/s of `repeats` runs of `steps` steps; each
// call's updated parameters and moments become the next call's inputs, as
// cpq-train does (bench/train, bench/gpu).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "cpq/runtime/batches.h"
#include "cpq/runtime/idx.h"
#include "cpq/runtime/init.h"
#include "cpq/runtime/kernel.h"
#include "cpq/runtime/profile.h"
#include "cpq/runtime/roles.h"
#include "cpq/runtime/tensor.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace cpq::bench {

/// The float outputs of a train_step call, by argument name (what the
/// first step returned: loss, updated parameters, moments).
using StepOutputs = std::map<std::string, std::vector<float>>;

/// Median images/s of folder/train_step at `batch`, or a negative value with
/// `error` set. `profile`: the stages' times (a kernel compiled timed).
/// `first`: the float outputs of the first step.
inline double train_step_img_s(const std::string &folder, const idx::LabelledImages &data, int batch, int steps,
                               int repeats, std::string &error, runtime::KernelProfile *profile = nullptr,
                               StepOutputs *first = nullptr) {
  using namespace cpq::runtime;
  auto k = Kernel::load(folder + "/train_step", error);
  if (!k) return -1;
  std::map<std::string, std::unique_ptr<HostTensor>> t;
  for (const KernelArgument &a : k->arguments())
    if (a.buffer) t[a.name] = std::make_unique<HostTensor>(a, batch);
  for (const KernelArgument &a : k->arguments()) {
    if (a.output || a.role != roles::param) continue;
    std::vector<float> v;
    if (!a.init) {
      error = folder + "/train_step.json: parameter '" + a.tensor + "' has no init";
      return -1;
    }
    if (!initial_value(a.tensor, *a.init, a.shape, 1, v, error)) return -1;
    t[a.name]->assign_floats(v);
  }
  const auto order = epoch_order(static_cast<std::uint32_t>(data.count), 1, 0);
  if (!fill_batch(data, order, 0, static_cast<std::size_t>(batch), Normalisation{0.0f, 1.0f},
                  t["input"]->data<float>(), t["labels"]->data<std::int32_t>(), error))
    return -1;
  std::map<std::string, halide_buffer_t *> buffers;
  std::int64_t step = 0;
  auto run = [&] {
    for (auto &[name, h] : t) buffers[name] = h->buffer();
    const std::map<std::string, Scalar> scalars = {
        {"step", Scalar::of_int(step)}, {"seed", Scalar::of_int(1)}, {"learning_rate", Scalar::of(1e-3)}};
    if (!k->call(buffers, scalars, error)) {
      error = folder + "/train_step: " + error;
      return false;
    }
    if (first && step == 0)
      for (const KernelArgument &a : k->arguments())
        if (a.output && a.type == halide_type_t(halide_type_float, 32)) {
          const HostTensor &h = *t.at(a.name);
          (*first)[a.name].assign(h.data<float>(), h.data<float>() + h.count());
        }
    for (const KernelArgument &a : k->arguments())
      if (!a.updates.empty()) t.at(a.updates)->swap(*t.at(a.name));
    ++step;
    return true;
  };
  for (int i = 0; i < 3; ++i) // warm-up
    if (!run()) return -1;
  if (profile) k->reset_profile();
  std::vector<double> rates;
  for (int r = 0; r < repeats; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    for (int s = 0; s < steps; ++s)
      if (!run()) return -1;
    rates.push_back(batch * steps / std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  if (profile && !k->profile(*profile, error)) return -1;
  std::sort(rates.begin(), rates.end());
  const std::size_t n = rates.size();
  return n % 2 ? rates[n / 2] : (rates[n / 2 - 1] + rates[n / 2]) / 2;
}

} // namespace cpq::bench
