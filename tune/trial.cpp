//===- trial.cpp - one trial of a tuning study, run in a child process ------===//
#include "tune/trial.h"

#include "codegen/aot.h"
#include "cpq/runtime/atomic_file.h"
#include "cpq/runtime/init.h"
#include "cpq/runtime/kernel.h"
#include "cpq/runtime/roles.h"
#include "cpq/runtime/safetensors.h"
#include "cpq/runtime/tensor.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <thread>

namespace cpq::tune {

namespace {

using runtime::HostTensor;
using runtime::KernelArgument;

/// A kernel's inputs, made from its manifest, and its outputs.
struct Call {
  std::vector<std::unique_ptr<HostTensor>> tensors;
  std::map<std::string, halide_buffer_t *> buffers;
  std::map<std::string, runtime::Scalar> scalars;
  std::vector<std::pair<const KernelArgument *, HostTensor *>> outputs;
};

template <class T> void fill_uniform(HostTensor &t, std::mt19937_64 &rng, double lo, double hi) {
  std::uniform_real_distribution<double> u(lo, hi);
  T *d = t.data<T>();
  for (std::size_t i = 0; i < t.count(); ++i) d[i] = T(u(rng));
}

bool make_call(const runtime::Kernel &kernel, int batch, Call &call, std::string &error) {
  namespace roles = runtime::roles;
  std::mt19937_64 rng(20261205);
  for (const KernelArgument &a : kernel.arguments()) {
    if (!a.buffer) {
      double v = 0;
      if (a.role == roles::step) v = 3;
      else if (a.role == roles::seed) v = 11;
      else if (a.role == roles::learning_rate) v = 1e-3;
      call.scalars[a.name] = a.type.code == halide_type_float ? runtime::Scalar::of(v)
                                                                : runtime::Scalar::of_int(std::int64_t(v));
      continue;
    }
    call.tensors.push_back(std::make_unique<HostTensor>(a, batch));
    HostTensor &t = *call.tensors.back();
    call.buffers[a.name] = t.buffer();
    if (a.output) {
      call.outputs.emplace_back(&a, &t);
      continue;
    }
    const bool f32 = a.type.code == halide_type_float && a.type.bits == 32;
    if (a.init && f32) {
      std::vector<float> v;
      if (!runtime::initial_value(a.tensor, *a.init, t.shape(), 1, v, error)) return false;
      t.assign_floats(v);
    } else if (a.role == roles::state) {
      // zeros, as a run starts
    } else if (a.role == roles::labels && a.type.code == halide_type_int && a.type.bits == 32) {
      for (std::size_t i = 0; i < t.count(); ++i) t.data<std::int32_t>()[i] = std::int32_t(i % 2);
    } else if (f32) {
      fill_uniform<float>(t, rng, a.role == roles::input ? 0.0 : -0.5, a.role == roles::input ? 1.0 : 0.5);
    } else if (a.type.code == halide_type_uint && a.type.bits == 8) {
      fill_uniform<std::uint8_t>(t, rng, 0, 256);
    } else if (a.type.code == halide_type_int && a.type.bits == 8) {
      fill_uniform<std::int8_t>(t, rng, -128, 128);
    } else {
      error = "cannot make a value for input '" + a.name + "' of type " + runtime::type_name(a.type);
      return false;
    }
  }
  return true;
}

std::string dtype_of(const halide_type_t &t) {
  const char *prefix = t.code == halide_type_float ? "F" : t.code == halide_type_int ? "I" : "U";
  if (t.code == halide_type_uint && t.bits == 1) return "BOOL";
  return prefix + std::to_string(t.bits);
}

double element(const HostTensor &t, const halide_type_t &type, std::size_t i) {
  const std::uint8_t *p = reinterpret_cast<const std::uint8_t *>(t.data<std::uint8_t>()) + i * type.bytes();
  auto get = [&](auto v) {
    std::memcpy(&v, p, sizeof v);
    return double(v);
  };
  if (type.code == halide_type_float) return type.bits == 64 ? get(double()) : get(float());
  if (type.code == halide_type_int)
    return type.bits == 64 ? get(std::int64_t()) : type.bits == 32 ? get(std::int32_t())
                                                 : type.bits == 16 ? get(std::int16_t()) : get(std::int8_t());
  return type.bits == 64 ? get(std::uint64_t()) : type.bits == 32 ? get(std::uint32_t())
                                                : type.bits == 16 ? get(std::uint16_t()) : get(std::uint8_t());
}

/// The hand schedule's values may differ from another schedule's by the
/// order of float sums: |got - want| <= 1e-4 + 1e-3 |want| for floats,
/// equality for integers. Returns the largest relative error.
bool compare(const Call &call, const cpq::safetensors::File &reference, double &max_error,
             std::string &worst, std::string &message) {
  max_error = 0;
  bool ok = true;
  for (const auto &[arg, t] : call.outputs) {
    const cpq::safetensors::Tensor *r = reference.find(arg->name);
    if (!r || r->data.size() != t->count() * arg->type.bytes()) {
      message = "output '" + arg->name + "' is not in the reference or has another size";
      return false;
    }
    HostTensor want(arg->type, t->shape());
    std::memcpy(want.data<std::uint8_t>(), r->data.data(), r->data.size());
    for (std::size_t i = 0; i < t->count(); ++i) {
      const double g = element(*t, arg->type, i), w = element(want, arg->type, i);
      const bool is_float = arg->type.code == halide_type_float;
      const double err = std::fabs(g - w) / (1e-1 + std::fabs(w));
      const bool bad = is_float ? !(std::fabs(g - w) <= 1e-4 + 1e-3 * std::fabs(w)) : g != w;
      if (err > max_error || (bad && ok) || std::isnan(err)) {
        if (!std::isnan(err)) max_error = std::max(max_error, err);
        worst = arg->name;
      }
      if (bad && ok) {
        std::ostringstream os;
        os << "output '" << arg->name << "' element " << i << ": " << g << ", the hand schedule's " << w;
        message = os.str();
        ok = false;
      }
    }
  }
  return ok;
}

bool write_result(const std::string &dir, const nlohmann::json &result) {
  std::string error;
  return runtime::write_atomically(dir + "/result.json", result.dump() + "\n", error);
}

} // namespace

std::string request_json(const TrialRequest &r) {
  nlohmann::json j = {{"input", r.input},       {"function", r.function}, {"pipeline", r.pipeline},
                      {"schedule", r.schedule}, {"dir", r.dir},           {"reference", r.reference},
                      {"make_reference", r.make_reference},
                      {"batch", r.batch},       {"repeats", r.repeats},   {"warmup", r.warmup},
                      {"fault", r.fault},       {"profile", r.profile},
                      {"beam", r.beam}};
  return j.dump() + "\n";
}

bool parse_request(const std::string &text, const std::string &what, TrialRequest &r, std::string &error) {
  try {
    const nlohmann::json j = nlohmann::json::parse(text);
    r.input = j.at("input"), r.function = j.at("function"), r.pipeline = j.at("pipeline");
    r.schedule = j.at("schedule"), r.dir = j.at("dir"), r.reference = j.at("reference");
    r.make_reference = j.at("make_reference"), r.batch = j.at("batch"), r.repeats = j.at("repeats");
    r.warmup = j.at("warmup"), r.fault = j.at("fault"), r.profile = j.value("profile", false);
    r.beam = j.value("beam", 0);
  } catch (const nlohmann::json::exception &e) {
    error = what + ": not a trial request: " + e.what();
    return false;
  }
  return true;
}

int run_trial(const TrialRequest &r) {
  using clock = std::chrono::steady_clock;
  nlohmann::json result = {{"status", "error"}, {"message", ""}, {"compile_s", nullptr}, {"ms", nlohmann::json::array()}};
  auto finish = [&](const std::string &status, const std::string &message) {
    result["status"] = status;
    result["message"] = message;
    return write_result(r.dir, result) ? (status == "ok" ? 0 : 1) : 2;
  };

  codegen::AotOptions o;
  o.input = r.input, o.function = r.function, o.pipeline = r.pipeline, o.schedule = r.schedule;
  o.output = r.dir + "/kernel";
  o.name = "tuned";
  o.lowering.batch_estimate = r.batch;
  o.profile = r.profile;
  if (r.beam > 0) ::setenv("HL_BEAM_SIZE", std::to_string(r.beam).c_str(), 1);
  const auto t0 = clock::now();
  std::string error;
  if (!codegen::compile_aot(o, error)) return finish("compile_error", error);
  result["compile_s"] = std::chrono::duration<double>(clock::now() - t0).count();
  std::remove((o.output + ".a").c_str()); // only the shared object is used
  std::remove((o.output + ".h").c_str());

  if (r.fault == "crash") { // as a kernel's segmentation fault ends the process (LLVM's handler would return)
    std::signal(SIGSEGV, SIG_DFL);
    std::raise(SIGSEGV);
  }
  if (r.fault == "hang")
    for (;;) std::this_thread::sleep_for(std::chrono::seconds(1));

  std::unique_ptr<runtime::Kernel> kernel = runtime::Kernel::load(o.output, error);
  if (!kernel) return finish("error", error);
  Call call;
  if (!make_call(*kernel, r.batch, call, error)) return finish("error", error);
  if (!kernel->call(call.buffers, call.scalars, error)) return finish("error", "the kernel failed: " + error);
  if (r.fault == "wrong" && !call.outputs.empty()) {
    const auto &[arg, t] = call.outputs.front();
    t->data<std::uint8_t>()[arg->type.bytes() - 1] ^= 0x40; // a high bit of the first element
  }

  if (r.make_reference) {
    cpq::safetensors::File ref;
    ref.metadata["schedule"] = r.schedule;
    for (const auto &[arg, t] : call.outputs) {
      cpq::safetensors::Tensor tensor{arg->name, dtype_of(arg->type), t->shape(), {}};
      tensor.data.assign(t->data<std::uint8_t>(), t->data<std::uint8_t>() + t->count() * arg->type.bytes());
      ref.tensors.push_back(std::move(tensor));
    }
    if (!cpq::safetensors::write(r.reference, ref, error)) return finish("error", error);
    result["max_error"] = 0.0;
  } else {
    cpq::safetensors::File ref;
    if (!cpq::safetensors::read(r.reference, ref, error)) return finish("error", error);
    double max_error = 0;
    std::string worst, message;
    const bool ok = compare(call, ref, max_error, worst, message);
    result["max_error"] = max_error;
    result["worst_output"] = worst;
    if (!ok) return finish("wrong", message);
  }

  for (int k = 0; k < r.warmup; ++k)
    if (!kernel->call(call.buffers, call.scalars, error)) return finish("error", "the kernel failed: " + error);
  for (int k = 0; k < r.repeats; ++k) {
    const auto a = clock::now();
    if (!kernel->call(call.buffers, call.scalars, error)) return finish("error", "the kernel failed: " + error);
    result["ms"].push_back(std::chrono::duration<double, std::milli>(clock::now() - a).count());
  }
  // The profiler samples every millisecond: a profile gets at least a
  // second of calls, however short one is.
  for (const auto start = clock::now(); r.profile && clock::now() - start < std::chrono::seconds(1);)
    if (!kernel->call(call.buffers, call.scalars, error)) return finish("error", "the kernel failed: " + error);
  return finish("ok", "");
}

int run_confirm(const std::vector<std::string> &prefixes, int batch, int rounds, const std::string &out) {
  using clock = std::chrono::steady_clock;
  std::vector<std::unique_ptr<runtime::Kernel>> kernels;
  std::vector<Call> calls(prefixes.size());
  std::string error;
  for (std::size_t k = 0; k < prefixes.size(); ++k) {
    kernels.push_back(runtime::Kernel::load(prefixes[k], error));
    if (!kernels.back() || !make_call(*kernels.back(), batch, calls[k], error)) {
      std::fprintf(stderr, "cpq-tune: error: %s: %s\n", prefixes[k].c_str(), error.c_str());
      return 1;
    }
  }
  nlohmann::json times = nlohmann::json::array();
  for (std::size_t k = 0; k < kernels.size(); ++k) times.push_back(nlohmann::json::array());
  // Each timed call follows an untimed one of the same kernel, so that no
  // kernel is timed with the caches another one left (a small kernel after
  // a large autoscheduled one would be).
  for (int round = -2; round < rounds; ++round) // two rounds of warm-up
    for (std::size_t k = 0; k < kernels.size(); ++k) {
      if (!kernels[k]->call(calls[k].buffers, calls[k].scalars, error)) {
        std::fprintf(stderr, "cpq-tune: error: %s: %s\n", prefixes[k].c_str(), error.c_str());
        return 1;
      }
      const auto a = clock::now();
      if (!kernels[k]->call(calls[k].buffers, calls[k].scalars, error)) {
        std::fprintf(stderr, "cpq-tune: error: %s: %s\n", prefixes[k].c_str(), error.c_str());
        return 1;
      }
      if (round >= 0) times[k].push_back(std::chrono::duration<double, std::milli>(clock::now() - a).count());
    }
  nlohmann::json j = {{"kernels", prefixes}, {"ms", times}};
  return runtime::write_atomically(out, j.dump() + "\n", error) ? 0 : 2;
}

} // namespace cpq::tune
