//===- manifest.h - what a compiled kernel takes and gives ---------*- C++ -*-===//
//
// This file declares the manifest, the contract between the code generator
// and every program that calls a kernel it made: `cpq-compile` writes
// PREFIX.json beside PREFIX.so, and the kernel loader, checkpoints, model
// files and the trainer read it. For every argument of the generated C
// function, in order, it records
//   name        the C identifier (c_identifier() of the network's name)
//   tensor      the network's name for it ("conv1.weight", "input")
//   role        what a caller gives or takes there (roles.h)
//   direction   input or output; kind buffer or scalar; type; shape (MLIR
//               order, null for the dynamic batch)
//   updates     (outputs) the input argument whose next value it is: a
//               parameter or optimizer state after one training step
//   init        (trainable parameters) how a run gives its first value
// and, besides the arguments, each quantizer of the function (tensor, kind,
// bits, elements, gate logits) and the C functions the kernel calls
// (kernel_helpers.h). Consumers read these; nobody re-derives a C name from
// a network name or an input from an output's name.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "cpq/runtime/init.h"
#include "cpq/runtime/roles.h"

#include <HalideRuntime.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cpq::runtime {

/// The manifest format this runtime writes and reads ("manifest_version";
/// a manifest without the key is version 1). A kernel whose manifest has
/// another version is refused before its shared object is loaded.
inline constexpr int kManifestVersion = 1;

/// The C identifier of a network's tensor name: every character but ASCII
/// letters, digits and '_' becomes '_' ("conv1.weight" -> "conv1_weight"),
/// and a name that is empty or starts with a digit gets the prefix "t_".
/// The one place names become identifiers: the code generator names kernel
/// arguments with it and refuses two names of one function that meet.
std::string c_identifier(const std::string &name);

/// One argument of a kernel, as its manifest describes it.
struct KernelArgument {
  std::string name;   ///< the C identifier
  std::string tensor; ///< the network's name (cpq.name); the C name in manifests that lack it
  std::string role;
  bool output = false, buffer = true;
  halide_type_t type;
  /// MLIR order; -1 marks the dynamic batch.
  std::vector<std::int64_t> shape;
  /// An output's input argument (by C name) that it replaces after a call;
  /// empty for outputs that update nothing and for inputs.
  std::string updates;
  /// A trainable parameter's first value (the cpq.param's init), when known.
  std::optional<ParamInit> init;
};

/// One quantizer of a kernel's function.
struct QuantizerInfo {
  std::string tensor;        ///< a weight's name; an activation's (its alpha less ".alpha"); "input"
  std::string kind;          ///< weight, activation or input
  int bits = 0;              ///< the quantizer's bit-width (the largest, with learned gates)
  std::int64_t elements = 0; ///< weights: all; activations and inputs: per image
  std::string gate;          ///< learned bit-widths: the gate logits' parameter, else empty
};

struct Manifest {
  std::string function;        ///< the generated C function
  std::string source_function; ///< the dialect function it was made from
  std::vector<KernelArgument> arguments; ///< in the C function's order: inputs, then outputs
  std::vector<QuantizerInfo> quantizers;
  std::vector<std::string> externs; ///< C functions the kernel calls (kernel_helpers.h)
  /// Compiled to time its root Funcs (cpq-train --profile): the loader then
  /// records them for Kernel::profile. Written only when true.
  bool timed = false;
  /// The GPU API the kernel's stages run on ("opencl", "cuda"), empty for
  /// the CPU: the loader then moves its buffers to and from the device.
  /// Written only when set.
  std::string device;

  /// The argument named `name` (its C identifier), or null.
  const KernelArgument *argument(const std::string &name) const;
};

/// The manifest as the JSON text cpq-compile writes.
std::string manifest_json(const Manifest &manifest);

/// Reads a manifest's JSON; false with `error` = "<what>: <problem>".
/// Every argument needs name, direction, kind, type and shape; the other keys
/// are optional (manifests of older builds lack them).
bool parse_manifest(const std::string &text, const std::string &what, Manifest &out, std::string &error);

/// The Halide type named as manifests name them ("float32", "int64",
/// "uint8", ...); false for another name.
bool parse_type(const std::string &name, halide_type_t &out);
std::string type_name(const halide_type_t &t);
/// "[2, 3]" for an MLIR-order shape; `dynamic` stands for -1 (the batch).
std::string shape_text(const std::vector<std::int64_t> &shape, const std::string &dynamic = "?");

} // namespace cpq::runtime
